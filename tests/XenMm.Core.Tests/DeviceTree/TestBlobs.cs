namespace XenMm.Core.Tests.DeviceTree;

/// <summary>The committed test blobs (DeviceTree/Data, made by Data/generate.sh).</summary>
internal static class TestBlobs
{
    public static byte[] Load(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "DeviceTree", "Data", name + ".dtb"));
}

using XenMm.Arm64.Machine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts a XenMm machine on the arm64 plug-in.</summary>
public static class XenMmArm64BuilderExtensions
{
    /// <summary>
    /// The machine runs on arm64 (<see cref="Arm64Architecture"/>: VMSAv8-64 tables, the unified heap, the direct map):
    /// <c>services.AddXenMm(configuration.GetSection("XenMm")).UseArm64()</c>. An <see cref="Arm64Options"/> registered
    /// in the container is used, else Xen's defaults. Calling it again is harmless.
    /// </summary>
    public static IXenMmBuilder UseArm64(this IXenMmBuilder builder) => builder.Use<Arm64Architecture>();
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XenMm.Tests.Hosting;

internal static class HostingSetup
{
    public static IConfigurationRoot Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

    /// <summary>A small machine for the toy: 256 MiB at 0x4000_0000, one CPU.</summary>
    public static (string, string?)[] SmallMachine(string section = "XenMm") =>
    [
        ($"{section}:Ram:0:Start", "0x4000_0000"),
        ($"{section}:Ram:0:Size", "256MiB"),
    ];

    /// <summary>What a host does at start: run the ValidateOnStart validators.</summary>
    public static void ValidateAtStart(this IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();
}

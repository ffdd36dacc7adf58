using XenMm.Arm32.Machine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts a XenMm machine on the arm32 plug-in.</summary>
public static class XenMmArm32BuilderExtensions
{
    /// <summary>
    /// The machine runs on arm32 (<see cref="Arm32Architecture"/>: LPAE tables, the split xenheap in zone 0, per-CPU
    /// <c>map_domain_page</c> slots): <c>services.AddXenMm(configuration.GetSection("XenMm")).UseArm32()</c>.
    /// Calling it again is harmless.
    /// </summary>
    public static IXenMmBuilder UseArm32(this IXenMmBuilder builder) => builder.Use<Arm32Architecture>();
}

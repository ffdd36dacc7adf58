namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <c>AddXenMm</c> returns: one machine's registration, to be given an architecture with <c>UseArm32()</c>,
/// <c>UseArm64()</c> or <see cref="XenMmBuilderExtensions.Use{TArchitecture}(IXenMmBuilder)"/>.
/// </summary>
public interface IXenMmBuilder
{
    /// <summary>The service collection the machine is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>The machine's options name and service key; empty for the unkeyed machine.</summary>
    string Name { get; }
}

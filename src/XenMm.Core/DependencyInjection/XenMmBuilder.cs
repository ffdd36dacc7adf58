namespace Microsoft.Extensions.DependencyInjection;

internal sealed class XenMmBuilder(IServiceCollection services, string name) : IXenMmBuilder
{
    public IServiceCollection Services { get; } = services;

    public string Name { get; } = name;
}

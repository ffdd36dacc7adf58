using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XenMm;
using XenMm.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers simulated Xen hosts: <c>services.AddXenMm(configuration.GetSection("XenMm")).UseArm64()</c>, then resolve a
/// booted <see cref="XenMachine"/>.
/// </summary>
/// <remarks>
/// Each machine is a singleton, created and booted when first resolved, its boot log going to
/// <c>ILogger&lt;XenMachine&gt;</c>. Its <see cref="XenMmOptions"/> (options name = the machine's name) are validated at
/// start (<c>ValidateOnStart</c>), each failure naming the setting (<c>XenMm:Ram:1:Size</c>). Registering again is
/// harmless: the services are added once, and a configuration section (by path) or delegate (by reference) already
/// applied to the machine is not applied twice; a new one adds to the settings as <c>Configure</c> does. A named
/// machine (<c>AddXenMm("left", ...)</c>) is a keyed service:
/// <c>GetRequiredKeyedService&lt;XenMachine&gt;("left")</c>.
/// </remarks>
public static class XenMmServiceCollectionExtensions
{
    /// <summary>Registers the unkeyed machine; with no settings it is the architecture's default board.</summary>
    public static IXenMmBuilder AddXenMm(this IServiceCollection services) => AddXenMm(services, Options.Options.DefaultName);

    /// <summary>Registers the unkeyed machine, configured by <paramref name="configure"/>.</summary>
    public static IXenMmBuilder AddXenMm(this IServiceCollection services, Action<XenMmOptions> configure) =>
        AddXenMm(services, Options.Options.DefaultName, configure);

    /// <summary>Registers the unkeyed machine, bound from <paramref name="configuration"/> (usually the <c>XenMm</c> section).</summary>
    public static IXenMmBuilder AddXenMm(this IServiceCollection services, IConfiguration configuration) =>
        AddXenMm(services, Options.Options.DefaultName, configuration);

    /// <summary>Registers the machine named <paramref name="name"/> (a keyed service; empty for the unkeyed one).</summary>
    public static IXenMmBuilder AddXenMm(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        if (XenMmRegistration.Find(services, name) is null)
        {
            var registration = new XenMmRegistration(name);
            services.AddKeyedSingleton(registration.Key, registration);
            services.AddOptions<XenMmOptions>(name).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XenMmOptions>, XenMmOptionsValidator>());
            if (registration.ServiceKey is { } key)
            {
                services.TryAddKeyedSingleton(key, (sp, _) => XenMachineFactory.Create(sp, name));
            }
            else
            {
                services.TryAddSingleton(sp => XenMachineFactory.Create(sp, name));
            }
        }

        return new XenMmBuilder(services, name);
    }

    /// <summary>Registers the machine named <paramref name="name"/>, configured by <paramref name="configure"/>.</summary>
    public static IXenMmBuilder AddXenMm(this IServiceCollection services, string name, Action<XenMmOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddXenMm(services, name);
        if (XenMmRegistration.Find(services, name)!.AddSource(configure))
        {
            services.Configure(name, configure);
        }

        return builder;
    }

    /// <summary>Registers the machine named <paramref name="name"/>, bound from <paramref name="configuration"/>.</summary>
    public static IXenMmBuilder AddXenMm(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddXenMm(services, name);
        if (XenMmRegistration.Find(services, name)!.AddSource(configuration))
        {
            services.AddOptions<XenMmOptions>(name).Bind(configuration);
        }

        return builder;
    }
}

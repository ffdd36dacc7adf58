using XenMm.Hosting;
using XenMm.Machine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses a machine's architecture; the plug-in packages add <c>UseArm32()</c> and <c>UseArm64()</c> on top.</summary>
public static class XenMmBuilderExtensions
{
    /// <summary>
    /// The machine runs on <typeparamref name="TArchitecture"/>: the one registered in the container if any, else one
    /// created with its constructor's services (<see cref="ActivatorUtilities"/>). Calling it again with the same type
    /// is harmless.
    /// </summary>
    /// <exception cref="InvalidOperationException">The machine already has a different architecture.</exception>
    public static IXenMmBuilder Use<TArchitecture>(this IXenMmBuilder builder)
        where TArchitecture : class, IArchitecture =>
        Use(builder, typeof(TArchitecture), sp => ActivatorUtilities.GetServiceOrCreateInstance<TArchitecture>(sp));

    /// <summary>The machine runs on the architecture <paramref name="factory"/> makes (called once per container).</summary>
    /// <exception cref="InvalidOperationException">The machine already has a different architecture.</exception>
    public static IXenMmBuilder Use(this IXenMmBuilder builder, Func<IServiceProvider, IArchitecture> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Use(builder, factory, factory);
    }

    private static IXenMmBuilder Use(IXenMmBuilder builder, object identity, Func<IServiceProvider, IArchitecture> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registration = XenMmRegistration.Find(builder.Services, builder.Name)
            ?? throw new InvalidOperationException($"No XenMm machine named '{builder.Name}' is registered in this service collection; call AddXenMm first.");
        if (registration.Architecture is null)
        {
            registration.Architecture = identity;
            builder.Services.AddKeyedSingleton<IArchitecture>(registration.Key, (sp, _) => factory(sp));
        }
        else if (!registration.Architecture.Equals(identity))
        {
            throw new InvalidOperationException($"{registration.Describe} already uses {Describe(registration.Architecture)}; it cannot also use {Describe(identity)}.");
        }

        return builder;
    }

    private static string Describe(object identity) => identity is Type t ? t.FullName ?? t.Name : "an architecture factory";
}

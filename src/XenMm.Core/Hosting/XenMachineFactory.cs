using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XenMm.Machine;

namespace XenMm.Hosting;

/// <summary>Builds and boots the machine a registration describes, its boot log going to <see cref="ILogger{XenMachine}"/>.</summary>
internal static class XenMachineFactory
{
    public static XenMachine Create(IServiceProvider services, string name)
    {
        var key = new XenMmKey(name);
        var registration = services.GetRequiredKeyedService<XenMmRegistration>(key);
        var architecture = services.GetKeyedService<IArchitecture>(key)
            ?? throw new InvalidOperationException($"{registration.Describe} has no architecture; call UseArm32(), UseArm64() or Use<TArchitecture>() on the builder AddXenMm returns.");

        // Get runs the validators: bad settings surface here, named, as an OptionsValidationException.
        var settings = services.GetRequiredService<IOptionsMonitor<XenMmOptions>>().Get(name);
        var options = settings.ToMachineOptions(architecture, registration.SectionPath);
        var logger = services.GetService<ILogger<XenMachine>>() ?? NullLogger<XenMachine>.Instance;
        var machine = new XenMachine(options, architecture, logger);
        using (name.Length == 0 ? null : logger.BeginScope("XenMm machine {XenMmMachine}", name))
        {
            machine.Boot();
        }

        return machine;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XenMm.Machine;

namespace XenMm.Hosting;

/// <summary>
/// Validates each machine's <see cref="XenMmOptions"/> against its architecture (every setting read, the machine
/// options checked as <see cref="XenMachine"/> would), naming each bad setting by its configuration path.
/// </summary>
internal sealed class XenMmOptionsValidator(IServiceProvider services) : IValidateOptions<XenMmOptions>
{
    public ValidateOptionsResult Validate(string? name, XenMmOptions options)
    {
        var key = new XenMmKey(name ?? Options.DefaultName);
        if (services.GetKeyedService<XenMmRegistration>(key) is not { } registration)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        var architecture = services.GetKeyedService<IArchitecture>(key);
        if (architecture is null)
        {
            failures.Add($"{registration.SectionPath}: {registration.Describe} has no architecture; call UseArm32(), UseArm64() or Use<TArchitecture>() on the builder AddXenMm returns.");
        }

        var errors = new List<SettingError>();
        options.Convert(architecture, registration.SectionPath, errors);
        failures.AddRange(errors.Select(e => e.Message));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

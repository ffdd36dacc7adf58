using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XenMm.Hosting;

/// <summary>
/// What <c>AddXenMm</c> recorded for one machine: its name, the configuration path its messages name, the
/// configuration sources already applied (so registering the same one twice is harmless) and its architecture.
/// Kept in the service collection as a keyed singleton, so the builder and the validator find it.
/// </summary>
internal sealed class XenMmRegistration
{
    private readonly HashSet<object> _sources = [];
    private bool _pathFromConfiguration;

    public XenMmRegistration(string name)
    {
        Name = name;
        Key = new XenMmKey(name);
        SectionPath = name.Length == 0 ? XenMmOptions.SectionName : $"{XenMmOptions.SectionName}({name})";
    }

    /// <summary>The options name, and the service key of the machine unless empty.</summary>
    public string Name { get; }

    public XenMmKey Key { get; }

    /// <summary>The machine's service key: null for the unkeyed machine.</summary>
    public object? ServiceKey => Name.Length == 0 ? null : Name;

    /// <summary>Where the settings come from, as messages name them: the first bound section's path, else <c>XenMm</c>.</summary>
    public string SectionPath { get; private set; }

    /// <summary>The architecture's identity (its type, or the factory given), once chosen.</summary>
    public object? Architecture { get; set; }

    public string Describe => Name.Length == 0 ? "the XenMm machine" : $"XenMm machine '{Name}'";

    public static XenMmRegistration? Find(IServiceCollection services, string name)
    {
        foreach (var d in services)
        {
            if (d.IsKeyedService && d.ServiceType == typeof(XenMmRegistration) && d.ServiceKey is XenMmKey k && k.Name == name)
            {
                return (XenMmRegistration?)d.KeyedImplementationInstance;
            }
        }

        return null;
    }

    /// <summary>True the first time <paramref name="configure"/> is seen.</summary>
    public bool AddSource(Action<XenMmOptions> configure) => _sources.Add(configure);

    /// <summary>True the first time a section with this path is seen; the first one names the settings in messages.</summary>
    public bool AddSource(IConfiguration configuration)
    {
        var path = (configuration as IConfigurationSection)?.Path ?? string.Empty;
        object identity = configuration is IConfigurationSection ? ("section", path) : configuration;
        if (!_sources.Add(identity))
        {
            return false;
        }

        if (!_pathFromConfiguration)
        {
            _pathFromConfiguration = true;
            SectionPath = path;
        }

        return true;
    }
}

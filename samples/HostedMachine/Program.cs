// A simulated Xen host composed the way a .NET service composes anything: configuration, DI, logging.
// The unkeyed machine is arm64 (section "XenMm"); a keyed one, "arm32", comes from "Machines:arm32".
// Each boots when first resolved, its boot log going to ILogger<XenMachine>; bad settings fail at start, named.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XenMm;
using XenMm.Hosting;
using XenMm.Machine;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json sits beside the program, wherever it is run from
});
builder.Services.AddXenMm(builder.Configuration.GetSection(XenMmOptions.SectionName)).UseArm64();
builder.Services.AddXenMm("arm32", builder.Configuration.GetSection("Machines:arm32")).UseArm32();

var host = builder.Build();
try
{
    // The host runs this in StartAsync too; doing it first gives one line per bad setting instead of a start-up failure log.
    host.Services.GetRequiredService<IStartupValidator>().Validate();
}
catch (Exception e) when (e is OptionsValidationException or AggregateException)
{
    var failures = e is AggregateException all ? all.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures) : ((OptionsValidationException)e).Failures;
    foreach (var failure in failures)
    {
        Console.Error.WriteLine($"hosted-machine: {failure}");
    }

    host.Dispose();
    return 2;
}

await host.StartAsync();
string[] report =
[
    .. Describe(host.Services.GetRequiredService<XenMachine>(), "XenMm"),
    .. Describe(host.Services.GetRequiredKeyedService<XenMachine>("arm32"), "Machines:arm32"),
];
await host.StopAsync();
host.Dispose(); // flushes the console logger's queue, so the boot logs come before the report
foreach (var line in report)
{
    Console.WriteLine(line);
}

return 0;

static IEnumerable<string> Describe(XenMachine m, string section)
{
    var ram = m.Options.Ram.Aggregate(0UL, (sum, b) => sum + b.Size);
    var profile = m.Profile == XenProfile.Xen2013 ? "2013" : "current";
    yield return $"{m.Architecture.Name} machine from '{section}': {ByteSize.Format(ram)} RAM in {m.Options.Ram.Count} bank(s), {m.Cpus.Count} CPU(s), profile {profile}, layout {m.Layout.Name}";
    yield return m.HeapModel.XenheapRange is { } xenheap
        ? $"  xenheap ({m.HeapModel.Name} heap): MFN [{xenheap.Start}, {xenheap.End}), {xenheap.Pages} pages at VA {m.HeapModel.XenheapVirtStart}"
        : $"  direct map ({m.HeapModel.Name} heap): all RAM at VA {m.HeapModel.XenheapVirtStart}";
    var census = m.Census();
    yield return $"  free pages: {m.Heap.TotalAvailPages} of {census.TotalRamPages}; frame table {census[PageUse.FrameTable]} pages; audit {(m.Audit().Count == 0 ? "clean" : "NOT clean")}";
}

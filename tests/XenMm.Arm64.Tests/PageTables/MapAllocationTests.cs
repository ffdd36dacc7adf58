using XenMm.Arm64.PageTables;
using XenMm.PageTables;
using XenMm.Tests.Shared;

namespace XenMm.Arm64.Tests.PageTables;

/// <summary>map_pages_to_xen and destroy_xen_mappings on a live table allocate no managed memory once warm.</summary>
public class MapAllocationTests
{
    [Fact]
    public void Map_and_destroy_in_existing_tables_allocate_nothing()
    {
        var host = new TestHost();
        var xen = XenMappings<Vmsa64Format>.Create(host.Memory, host.Frames);
        var va = new VirtAddr(0x0000_0A00_4000_0000);
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                xen.Map(va, new Mfn(0x80000 + (ulong)i), 16, PageFlags.HypervisorRw);
                xen.Destroy(va, va + (16 * 4096));
                xen.ClearTlbLog();
            }
        }));
        Assert.Equal(4, xen.Tables.TablePages.Count);
    }
}

using XenMm.Arm64.Tests.Machine;
using XenMm.Heap;
using XenMm.Tests.Shared;

namespace XenMm.Arm64.Tests.Heap;

/// <summary>alloc/free_xenheap_pages, maddr_to_virt and map_domain_page allocate nothing on the managed heap.</summary>
public class HotPathAllocationTests
{
    [Fact]
    public void Xenheap_alloc_free_and_translations_allocate_nothing()
    {
        var machine = Arm64Boards.Boot((1UL << 30, 1UL << 30));
        var model = machine.HeapModel;
        var pages = machine.DomainPages;
        var vas = new VirtAddr[64];

        void Round()
        {
            for (var i = 0; i < vas.Length; i++)
            {
                // No xunit asserts inside the measured rounds: they allocate themselves.
                if (!model.TryAllocXenheapPages(i & 3, MemFlags.None, out vas[i]) || pages.Map(1, model.VirtToMaddr(vas[i]).Mfn) != vas[i])
                {
                    throw new InvalidOperationException("xenheap allocation or map_domain_page went wrong");
                }

                pages.Unmap(1, vas[i]);
            }

            for (var i = 0; i < vas.Length; i++)
            {
                model.FreeXenheapPages(vas[i], i & 3);
            }
        }

        Round(); // the live-allocation table reaches its size
        Assert.Equal(0, Allocations.FewestBytes(Round));
    }
}

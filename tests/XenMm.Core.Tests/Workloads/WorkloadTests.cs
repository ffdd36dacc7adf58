using XenMm.Machine;
using XenMm.Tests.Machine.Toy;
using XenMm.Workloads;

namespace XenMm.Tests.Workloads;

/// <summary>The library's workloads on a machine: resumable exactly, and visible in the census as what they hold.</summary>
public sealed class WorkloadTests
{
    private static XenMachine Boot()
    {
        var arch = new ToyArchitecture();
        var options = arch.DefaultBoard();
        options.Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), 128UL << 20)];
        var m = new XenMachine(options, arch);
        m.Boot();
        return m;
    }

    [Fact]
    public void Churn_on_a_machine_holds_anonymous_domheap_pages()
    {
        var m = Boot();
        var churn = new ChurnWorkload(7, m.Domheap.AvailDomheapPages());
        churn.Run(m, 20_000);

        Assert.Equal(20_000UL, churn.Operations);
        Assert.Equal(churn.Allocs + churn.Failures, churn.Operations - churn.Frees);
        Assert.Equal(churn.LivePages, m.Census()[PageUse.Anonymous]);
        Assert.Empty(m.Audit());
    }

    [Fact]
    public void Churn_split_by_its_state_equals_one_run()
    {
        var one = Boot();
        var whole = new ChurnWorkload(11, one.Domheap.AvailDomheapPages());
        whole.Run(one, 6_000);

        var two = Boot();
        var first = new ChurnWorkload(11, two.Domheap.AvailDomheapPages());
        first.Run(two, 2_500);
        var second = ChurnWorkload.FromState(first.GetState());
        second.Run(two, 3_500);

        Assert.Equal(whole.GetState() with { Live = [] }, second.GetState() with { Live = [] });
        Assert.Equal(whole.GetState().Live, second.GetState().Live);
        Assert.Equal(one.Heap.StateHash(), two.Heap.StateHash());
    }

    [Fact]
    public void Domains_mix_accounts_every_page_and_resumes_exactly()
    {
        var one = Boot();
        var whole = new DomainsWorkload(5, domains: 3, maxPages: 2048);
        whole.Run(one, 4_000);

        Assert.Empty(one.Audit());
        var census = one.Census();
        Assert.Equal(whole.OwnedPages, census[PageUse.Domain]);
        Assert.Equal(whole.XenheapPages, census[PageUse.Xenheap]);
        Assert.Equal(whole.OwnedPages, one.Domains.Aggregate(0UL, (s, d) => s + d.TotPages));
        Assert.True(whole.Refusals > 0 && whole.OwnedPages > 0 && whole.XenheapPages > 0);

        var two = Boot();
        var first = new DomainsWorkload(5, domains: 3, maxPages: 2048);
        first.Run(two, 1_000);
        var second = DomainsWorkload.FromState(first.GetState());
        second.Run(two, 3_000);
        Assert.Equal(whole.ResultHash, second.ResultHash);
        Assert.Equal(whole.Operations, second.Operations);
        Assert.Equal(one.Heap.StateHash(), two.Heap.StateHash());
    }
}

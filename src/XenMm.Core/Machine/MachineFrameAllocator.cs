using XenMm.Memory;

namespace XenMm.Machine;

/// <summary>
/// Frames for Xen's page tables and vmap on a machine, taken as Xen takes them: from the boot allocator while it is
/// the only allocator (<c>alloc_boot_pages(1, 1)</c>), from the domheap afterwards (<c>alloc_domheap_page(NULL, 0)</c>).
/// The machine remembers each run-time frame's use for the census.
/// </summary>
internal sealed class MachineFrameAllocator(MachineState state, PageUse use) : IFrameAllocator
{
    public bool TryAllocate(out Mfn mfn)
    {
        if (!state.BootAllocator.HasEnded)
        {
            // Xen BUGs when the boot allocator is empty: the exception ends the boot.
            mfn = state.BootAllocator.AllocBootPages(1, 1, use, use == PageUse.Vmap ? "vmap bitmap" : "page table");
            return true;
        }

        if (!state.Domheap.TryAllocPages(null, 0, Heap.MemFlags.None, out mfn))
        {
            return false;
        }

        lock (state.Frames)
        {
            state.Frames[mfn.Value] = use;
        }

        return true;
    }

    public void Free(Mfn mfn)
    {
        lock (state.Frames)
        {
            if (state.Frames.TryGetValue(mfn.Value, out var owner))
            {
                if (owner != use)
                {
                    throw new XenMmException(MmError.NotAllocated, $"MFN {mfn} is a {owner} frame, not a {use} frame.");
                }

                state.Domheap.FreePages(mfn, 0);
                state.Frames.Remove(mfn.Value);
                return;
            }

            if (!state.BootAllocator.HasEnded && state.IsBootFrame(mfn, use))
            {
                // Only a failing boot gives a frame back this early (a refused map rolling back); Xen has no way to
                // return boot pages, and the boot is about to fail, so the frame simply stays out.
                return;
            }

            if (state.BootAllocator.HasEnded && state.IsBootFrame(mfn, use) && !state.ReleasedBootFrames.Contains(mfn.Value))
            {
                // Xen frees a boot-time table page into the heap like any other (free_xen_pagetable -> free_domheap_page).
                state.Domheap.FreePages(mfn, 0);
                state.ReleasedBootFrames.Add(mfn.Value);
                state.HeapRanges.Add(new MfnRange(mfn, 1));
                return;
            }
        }

        throw new XenMmException(MmError.NotAllocated, $"MFN {mfn} is not a {use} frame of this machine (or is already free).");
    }
}

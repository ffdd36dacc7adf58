using XenMm.PageTables;

namespace XenMm.VirtualMapping;

// The bitmap itself: Xen's vm_index and vm_size, and bit operations on the words in the region's first pages.
public sealed partial class Vmap
{
    // Xen: vm_index; tries VMAP_DEFAULT, then VMAP_XEN, as vm_free does.
    private (Region? Region, uint Bit) Find(VirtAddr va)
    {
        foreach (var t in _regions)
        {
            if (t is not null && Index(t, va.Value) is var bit and not 0)
            {
                return (t, bit);
            }
        }

        return (null, 0);
    }

    private uint Index(Region t, ulong va)
    {
        var addr = va & ~Addressing.PageMask;

        // Xen compares against the bitmap's end in bytes (vm_end / 8), not in pages.
        if (addr < t.Base + (t.End / 8) || addr >= t.Base + ((ulong)t.Top << Addressing.PageShift))
        {
            return 0;
        }

        var idx = (uint)((va - t.Base) >> Addressing.PageShift);
        return idx != 0 && !ReadBit(t, idx - 1) && ReadBit(t, idx) ? idx : 0;
    }

    private uint SizeOf(Region t, uint start)
    {
        if (start == 0)
        {
            return 0;
        }

        return Math.Min(NextBit(t, start + 1, set: false), t.Top) - start;
    }

    // find_next_bit / find_next_zero_bit bounded by vm_top, a word at a time.
    private uint NextBit(Region t, uint from, bool set)
    {
        var bit = from;
        while (bit < t.Top)
        {
            var word = ReadWord(t, bit / 64);
            if (!set)
            {
                word = ~word;
            }

            word &= ulong.MaxValue << (int)(bit % 64);
            if (word != 0)
            {
                return Math.Min(t.Top, (bit & ~63u) + (uint)ulong.TrailingZeroCount(word));
            }

            bit = (bit & ~63u) + 64;
        }

        return t.Top;
    }

    private bool ReadBit(Region t, uint bit) => (ReadWord(t, bit / 64) & (1UL << (int)(bit % 64))) != 0;

    private void WriteBit(Region t, uint bit, bool value)
    {
        var pa = WordAddress(t, bit / 64);
        var word = _memory.ReadU64(pa);
        var mask = 1UL << (int)(bit % 64);
        _memory.WriteU64(pa, value ? word | mask : word & ~mask);
    }

    private ulong ReadWord(Region t, uint index) => _memory.ReadU64(WordAddress(t, index));

    // The bitmap is read through the page tables, as Xen reads it through its VA.
    private PhysAddr WordAddress(Region t, uint index)
    {
        var va = new VirtAddr(t.Base + ((ulong)index * 8));
        var translation = _mappings.Translate(va, AccessType.Write);
        if (!translation.TryGetPhysAddr(out var pa))
        {
            throw new XenMmException(MmError.NotMapped, $"The vmap bitmap word at VA {va} is not mapped ({translation.Fault} fault at level {translation.Level}).");
        }

        return pa;
    }
}

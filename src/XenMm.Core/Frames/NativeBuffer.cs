using System.Runtime.InteropServices;

namespace XenMm.Frames;

// Zero-filled native memory owned by a frame table (calloc: large requests are fresh anonymous mappings the
// OS backs page by page on first write), released by the finalizer.
internal sealed unsafe partial class NativeBuffer : SafeHandle
{
    private const int MadvPopulateWrite = 23; // Linux 5.14+: fault the range in, writable, in one call
    private const ulong OsPage = 4096;

    public NativeBuffer(ulong bytes)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Length = bytes;
        void* p = NativeMemory.AllocZeroed((nuint)Math.Max(bytes, 8));
        SetHandle((IntPtr)p);
    }

    public ulong Length { get; }

    public void* Pointer => (void*)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>
    /// Asks the OS to back <c>[offset, offset + bytes)</c> now, before a loop writes all of it: one call instead of a
    /// page fault per page (two where a page is read before it is written: the zero page, then copy-on-write). Only a
    /// hint: on another OS or an older kernel nothing happens and the pages are faulted in as they are touched.
    /// </summary>
    public void Populate(ulong offset, ulong bytes)
    {
        if (bytes == 0 || !OperatingSystem.IsLinux() || offset >= Length)
        {
            return;
        }

        ulong start = (ulong)handle + offset;
        ulong end = (ulong)handle + Math.Min(Length, offset + bytes);
        // The buffer's own first and last pages may hold allocator headers: populating them is harmless.
        ulong pageStart = start & ~(OsPage - 1);
        try
        {
            _ = Madvise((void*)pageStart, (nuint)(end - pageStart), MadvPopulateWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask: the pages fault in as they are written.
        }
    }

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}

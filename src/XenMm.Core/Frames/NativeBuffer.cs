using System.Runtime.InteropServices;

namespace XenMm.Frames;

// Zero-filled native memory owned by a frame table (calloc: large requests are fresh anonymous mappings the
// OS backs page by page on first write), released by the finalizer.
internal sealed unsafe class NativeBuffer : SafeHandle
{
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

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}

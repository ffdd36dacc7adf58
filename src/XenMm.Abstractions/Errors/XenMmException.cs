namespace XenMm;

/// <summary>
/// The single exception type of XenMm. <see cref="Error"/> says which rule was broken; the message names
/// the offending value. An operation that throws it has left the machine exactly as it was.
/// </summary>
public sealed class XenMmException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/> with a message that names the offending value.</summary>
    public XenMmException(MmError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates an exception that wraps the failure that caused it.</summary>
    public XenMmException(MmError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>The rule that was broken.</summary>
    public MmError Error { get; }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(XenMmException)} ({Error}): {Message}";
}

namespace XenMm.Machine;

/// <summary>One line of the boot log.</summary>
/// <param name="Text">The line, without a console prefix.</param>
/// <param name="FromXen">True when Xen prints this line, word for word; false for XenMm's own notes.</param>
public sealed record BootLogLine(string Text, bool FromXen)
{
    /// <summary>The line as a console shows it: <c>(XEN) </c> before Xen's lines, <c>(xenmm) </c> before XenMm's.</summary>
    public override string ToString() => (FromXen ? "(XEN) " : "(xenmm) ") + Text;
}

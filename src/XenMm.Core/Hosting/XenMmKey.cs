namespace XenMm.Hosting;

/// <summary>The service key of XenMm's own per-machine services (its registration, its architecture): never a user's key.</summary>
/// <param name="Name">The machine's options name (empty for the unkeyed machine).</param>
internal sealed record XenMmKey(string Name);

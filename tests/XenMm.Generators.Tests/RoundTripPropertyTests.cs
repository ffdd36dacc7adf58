using System.Reflection;
using CsCheck;
using XenMm.Arm32;
using XenMm.Arm64;
using XenMm.PageTables;

namespace XenMm.Generators.Tests;

/// <summary>
/// For random descriptors and random field values: WithX then the getter gives the value back, and every
/// other bit is untouched. Driven by each descriptor's generated field table, so every field is covered.
/// </summary>
public class RoundTripPropertyTests
{
    public static TheoryData<Type> Descriptors => new()
    {
        typeof(LpaeEntry), typeof(LpaeP2mEntry), typeof(Vmsa64Entry), typeof(Vmsa64S2Entry),
        typeof(ToyEntry32), typeof(Nesting.Mixed64),
    };

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void With_then_get_round_trips_and_leaves_other_fields_alone(Type descriptor)
    {
        var fields = (PteField[])typeof(RoundTripPropertyTests).GetMethod(nameof(FieldsOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(descriptor).Invoke(null, null)!;
        var width = (int)descriptor.GetField("StorageWidth")!.GetValue(null)!;
        var storageMask = width == 64 ? ulong.MaxValue : uint.MaxValue;
        var settable = fields.Where(f => f.Kind != PteFieldKind.Reserved).ToArray();

        Gen.Select(Gen.ULong, Gen.Int[0, settable.Length - 1], Gen.ULong).Sample((raw, index, random) =>
        {
            var field = settable[index];
            raw &= storageMask;
            var value = field.Kind == PteFieldKind.Address ? random & field.Mask : random & (field.Mask >> field.Lsb);
            var before = Activator.CreateInstance(descriptor, Convert.ChangeType(raw, width == 64 ? typeof(ulong) : typeof(uint)))!;
            var property = descriptor.GetProperty(field.Name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!;
            var after = descriptor.GetMethod("With" + field.Name)!.Invoke(before, [Box(value, property.PropertyType)])!;
            var afterRaw = Convert.ToUInt64(descriptor.GetProperty("Raw")!.GetValue(after));

            Assert.Equal(Box(value, property.PropertyType), property.GetValue(after));
            Assert.Equal(raw & ~field.Mask, afterRaw & ~field.Mask);
            Assert.Equal(value, field.Extract(afterRaw));
        }, iter: 2000);
    }

    private static PteField[] FieldsOf<T>()
        where T : struct, IPageTableEntry<T> => T.Fields.ToArray();

    private static object Box(ulong value, Type type) => type switch
    {
        _ when type == typeof(bool) => value != 0,
        _ when type == typeof(PhysAddr) => new PhysAddr(value),
        _ when type.IsEnum => Enum.ToObject(type, value),
        _ => Convert.ChangeType(value, type),
    };
}

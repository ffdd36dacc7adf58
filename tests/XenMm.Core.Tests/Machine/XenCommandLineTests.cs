using XenMm.Machine;

namespace XenMm.Tests.Machine;

/// <summary>Xen's parse_params (common/kernel.c) for the options that shape memory.</summary>
public sealed class XenCommandLineTests
{
    [Theory]
    [InlineData("xenheap_megabytes=100", 100UL)]
    [InlineData("xenheap_megabytes=0x40", 64UL)]
    [InlineData("xenheap_megabytes=010", 8UL)]
    [InlineData("  console=dtuart   xenheap_megabytes=7 ", 7UL)]
    [InlineData("xenheap_megabytes=5 xenheap_megabytes=9", 9UL)]
    [InlineData("no-xenheap_megabytes=3", 3UL)]
    [InlineData("xenheap-megabytes=3", 0UL)]
    [InlineData("", 0UL)]
    public void Xenheap_megabytes_is_read_as_an_integer_param(string text, ulong megabytes) =>
        Assert.Equal(megabytes, XenCommandLine.Parse(text).XenheapMegabytes);

    [Fact]
    public void A_bad_integer_keeps_the_number_read_and_prints_Xens_line()
    {
        var line = XenCommandLine.Parse("xenheap_megabytes=12MB");
        Assert.Equal(12UL, line.XenheapMegabytes);
        Assert.Equal(["parameter \"xenheap_megabytes\" has invalid value \"12MB\", rc=-22!"], line.Messages);
    }

    [Fact]
    public void On_32_bit_a_value_beyond_unsigned_long_overflows_and_is_not_stored()
    {
        var line = XenCommandLine.Parse("xenheap_megabytes=64 xenheap_megabytes=0x100000000", 32);
        Assert.Equal(64UL, line.XenheapMegabytes);
        Assert.Equal(["parameter \"xenheap_megabytes\" has invalid value \"0x100000000\", rc=-75!"], line.Messages);
        Assert.Equal(0xFFFF_FFFFUL, XenCommandLine.Parse("xenheap_megabytes=-1", 32).XenheapMegabytes);
    }

    [Theory]
    [InlineData("", BootScrubMode.Idle)]
    [InlineData("bootscrub", BootScrubMode.On)]
    [InlineData("bootscrub=on", BootScrubMode.On)]
    [InlineData("bootscrub=1", BootScrubMode.On)]
    [InlineData("bootscrub=false", BootScrubMode.Off)]
    [InlineData("no-bootscrub", BootScrubMode.Off)]
    [InlineData("bootscrub=off bootscrub=idle", BootScrubMode.Idle)]
    public void Bootscrub_follows_parse_bootscrub_param(string text, BootScrubMode mode) =>
        Assert.Equal(mode, XenCommandLine.Parse(text).BootScrub);

    [Theory]
    [InlineData("bootscrub=sometimes")]
    [InlineData("no-bootscrub=1")]
    public void A_bad_bootscrub_is_reported_and_ignored(string text)
    {
        var line = XenCommandLine.Parse(text);
        Assert.Equal(BootScrubMode.Idle, line.BootScrub);
        Assert.Single(line.Messages);
    }

    [Fact]
    public void Badpage_lists_follow_init_boot_pages_parsing()
    {
        Assert.Equal([(0x10UL, 0x11UL), (0x20UL, 0x23UL), (8UL, 9UL)], XenCommandLine.Parse("badpage=0x10,0x20-0x22,010").BadPageRanges());
        Assert.Equal([(5UL, 6UL)], XenCommandLine.Parse("badpage=5-3").BadPageRanges());

        // Parsing stops at the first character that is neither ',' nor the end, and that entry is dropped.
        Assert.Equal([(1UL, 2UL)], XenCommandLine.Parse("badpage=1,2x,3").BadPageRanges());
    }

    [Fact]
    public void Unknown_options_are_ignored()
    {
        var line = XenCommandLine.Parse("dom0_mem=64M loglvl=all console=dtuart");
        Assert.Empty(line.Messages);
        Assert.Equal(0UL, line.XenheapMegabytes);
        Assert.Equal("dom0_mem=64M loglvl=all console=dtuart", line.Text);
    }

    [Fact]
    public void An_option_is_cut_at_127_characters_as_MAX_PARAM_SIZE_does()
    {
        // 18 + 120 zeros + "7": the 7 lies past the cut, so Xen reads octal 0.
        var text = "xenheap_megabytes=" + new string('0', 120) + "7";
        Assert.Equal(0UL, XenCommandLine.Parse(text).XenheapMegabytes);
        Assert.Equal(7UL, XenCommandLine.Parse("xenheap_megabytes=" + new string('0', 100) + "7").XenheapMegabytes);
    }
}

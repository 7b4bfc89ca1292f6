using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Discern.Tests;

namespace Discern.Web.Tests;

/// <summary>The app on a test server, with its own spool folder so the tests can check that nothing is left behind.</summary>
public sealed class DiscernFactory : WebApplicationFactory<Program>
{
    public string SpoolDirectory { get; } = Path.Combine(Path.GetTempPath(), "discern-web-tests-" + Guid.NewGuid().ToString("N"));

    public Dictionary<string, string?> Settings { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(SpoolDirectory);
        var settings = new Dictionary<string, string?>
        {
            ["Discern:TempDirectory"] = SpoolDirectory,
            ["Discern:UploadsPerMinutePerClient"] = "1000",
        };
        foreach (var (k, v) in Settings) settings[k] = v;
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
    }

    public AnalysisService Analyses => Services.GetRequiredService<AnalysisService>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { Directory.Delete(SpoolDirectory, true); } catch (IOException) { }
    }
}

/// <summary>Audio fixtures the tests make themselves.</summary>
internal static class Fixtures
{
    private static readonly Lazy<byte[]> Music = new(() => Signals.Wav(Signals.MusicLike(22050, 12, seed: 3), 22050, 1));

    /// <summary>12 s of synthetic music as 16-bit mono WAV.</summary>
    public static byte[] MusicWav => Music.Value;

    private static readonly Lazy<byte[]> Decoded = new(() =>
    {
        // Music with a DAC-like decoder's lines 20 dB under it: one transposed convolution of stride 512 at 44.1 kHz,
        // whose grid (every 44100 / 512 Hz) the page ticks along its spectrum.
        return Signals.Wav(Signals.WithDecoderLines(Signals.MusicLike(44100, 12, seed: 3), stride: 512), 44100, 1);
    });

    /// <summary>12 s of synthetic music through a synthetic decoder, as 16-bit mono WAV at 44.1 kHz.</summary>
    public static byte[] DecodedMusicWav => Decoded.Value;

    /// <summary>A WAV whose format chunk declares zero channels: recognisably WAV, impossible to decode.</summary>
    public static byte[] CorruptWav()
    {
        var wav = (byte[])MusicWav.Clone();
        wav[22] = 0; // NumChannels (little-endian 16-bit at offset 22)
        wav[23] = 0;
        return wav;
    }
}

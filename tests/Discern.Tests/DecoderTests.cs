using System.Buffers.Binary;
using Discern.Audio;

namespace Discern.Tests;

public class DecoderTests
{
    private static readonly float[] Tone = Signals.Interleave(Signals.Sine(440, 44100, 44100), Signals.Sine(660, 44100, 44100));

    private static OpenedAudio Open(byte[] bytes, bool useNativeDecoders = true) =>
        AudioDecoders.CreateDefault(useNativeDecoders: useNativeDecoders).Open(new MemoryStream(bytes));

    [Theory]
    [InlineData(8, false)]
    [InlineData(16, false)]
    [InlineData(24, false)]
    [InlineData(32, false)]
    [InlineData(32, true)]
    public void Wav_round_trips(int bits, bool isFloat)
    {
        using var opened = Open(Signals.Wav(Tone, 44100, 2, bits, isFloat)).Source;
        var decoded = Signals.DecodeAll(opened);
        Assert.Equal(Tone.Length, decoded.Length);
        double tolerance = bits == 8 ? 0.01 : 1e-4;
        for (int i = 0; i < Tone.Length; i += 97) Assert.Equal(Tone[i], decoded[i], tolerance);
    }

    [Theory]
    [InlineData(16, new[] { "-compression_level", "8" })]
    [InlineData(16, new[] { "-compression_level", "5" })] // LPC order ≤ 8: the unrolled 8-tap loop
    [InlineData(16, new[] { "-compression_level", "0" })] // fixed predictors only
    [InlineData(16, new[] { "-lpc_type", "levinson", "-min_prediction_order", "3", "-max_prediction_order", "3" })] // 8 taps, five of them zero
    [InlineData(16, new[] { "-lpc_type", "levinson", "-min_prediction_order", "10", "-max_prediction_order", "10" })] // 12 taps, two zero
    [InlineData(24, new[] { "-lpc_type", "levinson", "-min_prediction_order", "32", "-max_prediction_order", "32" })] // beyond unrolling
    public void Flac_is_bit_exact_against_ffmpeg_encoder(int bits, string[] encoderArgs)
    {
        // Music-like audio, so that the encoder's LPC has real work and every predictor order is exercised.
        var music = Signals.Interleave(Signals.MusicLike(44100, 2, seed: 7), Signals.MusicLike(44100, 2, seed: 8));
        AssertFlacIsBitExact(Signals.Wav(music, 44100, 2, bits), encoderArgs);
        AssertFlacIsBitExact(Signals.Wav(Tone, 44100, 2, bits), encoderArgs);
    }

    /// <summary>Encodes <paramref name="wav"/> to FLAC with ffmpeg (extra <paramref name="encoderArgs"/>) and checks every decoded sample against the WAV's.</summary>
    private static void AssertFlacIsBitExact(byte[] wav, params string[] encoderArgs)
    {
        var flac = Signals.Encode(wav, "flac", ["-c:a", "flac", .. encoderArgs]);
        var opened = Open(flac);
        Assert.Equal(AudioFormat.Flac, opened.Format);
        using var source = opened.Source;
        var decoded = Signals.DecodeAll(source);
        using var reference = Open(wav).Source;
        var expected = Signals.DecodeAll(reference);
        Assert.Equal(expected.Length, decoded.Length);
        int mismatches = 0;
        for (int i = 0; i < expected.Length; i++) if (expected[i] != decoded[i]) mismatches++;
        Assert.Equal(0, mismatches);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    public void Flac_with_clicks_in_quiet_passages_is_bit_exact(int bits)
    {
        // Quiet noise lets the encoder choose short Rice codes, and an odd block size (as a file's last frame often has)
        // forbids splitting a block into partitions, so each click needs a unary run of hundreds of bits. The stop bit
        // of such a run ends on the bit reader's 64th bit about once in 64 clicks, which a shift by 64 (masked to 0 in
        // C#) once misread, desynchronising the rest of the frame (found on a pitch-shifted Wesnoth track).
        const int rate = 44100;
        var samples = Signals.Noise(rate * 10, 21, amplitude: 0.002);
        var random = new Random(5);
        for (int i = 0; i < samples.Length; i += 150 + random.Next(100)) samples[i] = (float)(random.NextDouble() - 0.5);
        AssertFlacIsBitExact(Signals.Wav(samples, rate, 1, bits), "-frame_size", "4095");
    }

    [Theory]
    [InlineData("mp3", AudioFormat.Mp3, "mpg123", new[] { "-c:a", "libmp3lame", "-b:a", "192k" })]
    [InlineData("ogg", AudioFormat.OggVorbis, "vorbisfile", new[] { "-c:a", "libvorbis", "-q:a", "5" })]
    [InlineData("opus", AudioFormat.OggOpus, "ffmpeg", new[] { "-c:a", "libopus", "-b:a", "96k" })]
    [InlineData("m4a", AudioFormat.Mp4, "ffmpeg", new[] { "-c:a", "aac", "-b:a", "128k" })]
    [InlineData("webm", AudioFormat.Matroska, "ffmpeg", new[] { "-c:a", "libopus" })]
    public void Lossy_formats_are_sniffed_and_decoded(string extension, AudioFormat format, string decoder, string[] codecArgs)
    {
        var bytes = Signals.Encode(Signals.Wav(Tone, 44100, 2), extension, codecArgs);
        var opened = Open(bytes);
        Assert.Equal(format, opened.Format);
        Assert.Equal(decoder, opened.DecoderName);
        using var source = opened.Source;
        Assert.Equal(2, source.Channels);
        var decoded = Signals.DecodeAll(source);
        Assert.InRange(decoded.Length / 2, 44100 - 4096, 44100 + 4096);
        double rms = Math.Sqrt(decoded.Average(v => (double)v * v));
        Assert.InRange(rms, 0.25, 0.45); // two 0.5-amplitude sines: RMS ≈ 0.354
    }

    [Fact]
    public void The_pipe_from_ffmpeg_holds_a_megabyte_so_it_can_decode_ahead_of_the_analysis()
    {
        if (!OperatingSystem.IsLinux()) return; // F_SETPIPE_SZ is Linux's; elsewhere the operating system's default stays.
        var info = new System.Diagnostics.ProcessStartInfo("sleep", "5") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            Assert.True(FfmpegDecoder.WidenPipe(process.StandardOutput.BaseStream) >= FfmpegDecoder.ReadAheadBytes,
                "the kernel's default of 64 KiB makes ffmpeg wait for the analysis block by block");
        }
        finally
        {
            process.Kill();
        }
    }

    /// <summary>Different music in each channel, with clicks so that the encoder switches to short blocks now and then.</summary>
    private static readonly Lazy<byte[]> StereoMp3 = new(() =>
    {
        const int rate = 44100;
        var left = Signals.MusicLike(rate, 4, seed: 1);
        var right = Signals.MusicLike(rate, 4, seed: 2);
        for (int i = rate / 3; i < right.Length; i += rate / 2) right[i] = 0.9f;
        return Signals.Encode(Signals.Wav(Signals.Interleave(left, right), rate, 2), "mp3", "-c:a", "libmp3lame", "-b:a", "192k");
    });

    [Theory]
    [InlineData(true, "mpg123")]
    [InlineData(false, "nlayer")]
    public void Mp3_downmixed_in_the_decoder_is_the_mean_of_its_channels(bool useNativeDecoders, string decoder)
    {
        var stereoOpened = Open(StereoMp3.Value, useNativeDecoders);
        Assert.Equal(decoder, stereoOpened.DecoderName);
        using var stereo = stereoOpened.Source;
        var interleaved = Signals.DecodeAll(stereo);
        using var mixed = Open(StereoMp3.Value, useNativeDecoders).Source;
        Assert.True(mixed.TryDownmixToMono());
        Assert.Equal(1, mixed.Channels);
        var mono = Signals.DecodeAll(mixed);

        Assert.Equal(interleaved.Length / 2, mono.Length);
        double error = 0, power = 0;
        for (int i = 0; i < mono.Length; i++)
        {
            double mean = (interleaved[2 * i] + interleaved[2 * i + 1]) / 2.0;
            error += (mean - mono[i]) * (mean - mono[i]);
            power += mean * mean;
        }
        Assert.True(power > 0);
        Assert.InRange(10 * Math.Log10(error / power), double.NegativeInfinity, -60);
    }

    [Theory]
    [InlineData(44100, 2, false)]
    [InlineData(44100, 2, true)]
    [InlineData(22050, 1, false)] // MPEG-2
    public void Mp3_through_libmpg123_is_what_NLayer_decodes(int sampleRateHz, int channels, bool mix)
    {
        // Which MP3 decoder a machine has must not change a verdict: libmpg123, ungapped, returns NLayer's samples.
        // Not at the MPEG-2.5 rates (8–12 kHz), where NLayer's first frames differ from both libmpg123's and ffmpeg's
        // decoding by up to 0.25 (the other two agree to 5e-7; a scratch comparison on an 8 kHz pink-noise MP3).
        Assert.True(Mpg123Decoder.IsAvailable, "libmpg123 was not found; install it (Debian: apt-get install libmpg123-0; scripts/setup.sh does).");
        var bytes = sampleRateHz == 44100 && channels == 2
            ? StereoMp3.Value
            : Signals.Encode(Signals.Wav(Signals.MusicLike(sampleRateHz, 3, seed: 4), sampleRateHz, 1), "mp3", "-c:a", "libmp3lame", "-b:a", "32k");
        float[] Decode(bool useNativeDecoders, bool seekable)
        {
            Stream input = seekable ? new MemoryStream(bytes) : new PrefixedStream(bytes, Stream.Null); // no length, no seeking
            var opened = AudioDecoders.CreateDefault(useNativeDecoders: useNativeDecoders).Open(input);
            using var source = opened.Source;
            Assert.Equal((sampleRateHz, channels), (source.SampleRateHz, source.Channels));
            if (mix) Assert.True(source.TryDownmixToMono());
            return Signals.DecodeAll(source);
        }
        var managed = Decode(useNativeDecoders: false, seekable: true);
        var native = Decode(useNativeDecoders: true, seekable: false); // fed as it arrives, as an upload is
        Assert.Equal(managed.Length, native.Length);
        double largest = 0;
        for (int i = 0; i < managed.Length; i++) largest = Math.Max(largest, Math.Abs(managed[i] - native[i]));
        Assert.InRange(largest, 0, 1e-5);
        Assert.True(managed.Max() > 0.1);
    }

    /// <summary>Different music in each channel, encoded to Ogg Vorbis by ffmpeg's libvorbis.</summary>
    private static byte[] StereoVorbis(int sampleRateHz, int channels) =>
        Signals.Encode(Signals.Wav(channels == 2
            ? Signals.Interleave(Signals.MusicLike(sampleRateHz, 4, seed: 1), Signals.MusicLike(sampleRateHz, 4, seed: 2))
            : Signals.MusicLike(sampleRateHz, 4, seed: 3), sampleRateHz, channels), "ogg", "-c:a", "libvorbis", "-q:a", "4");

    [Theory]
    [InlineData(44100, 2, false, false)]
    [InlineData(44100, 2, true, false)]
    [InlineData(44100, 2, false, true)]
    [InlineData(48000, 1, false, false)]
    [InlineData(8000, 1, false, true)]
    public void Vorbis_through_libvorbisfile_is_what_NVorbis_decodes(int sampleRateHz, int channels, bool mix, bool seekable)
    {
        // Which Vorbis decoder a machine has must not change a verdict (the corpus's supertuxkart recordings are Vorbis).
        Assert.True(VorbisFileDecoder.IsAvailable, "libvorbisfile was not found; install it (Debian: apt-get install libvorbisfile3; scripts/setup.sh does).");
        var bytes = StereoVorbis(sampleRateHz, channels);
        (float[] Samples, TimeSpan? Declared) Decode(bool useNativeDecoders, bool seekableInput)
        {
            Stream input = seekableInput ? new MemoryStream(bytes) : new PrefixedStream(bytes, Stream.Null); // no length, no seeking
            var opened = AudioDecoders.CreateDefault(useNativeDecoders: useNativeDecoders).Open(input);
            Assert.Equal(useNativeDecoders ? "vorbisfile" : "nvorbis", opened.DecoderName);
            using var source = opened.Source;
            Assert.Equal((sampleRateHz, channels), (source.SampleRateHz, source.Channels));
            // libvorbisfile mixes as it interleaves; NVorbis's channels are averaged here, as the analysis would.
            if (mix && useNativeDecoders)
            {
                Assert.True(source.TryDownmixToMono());
                Assert.Equal(1, source.Channels);
            }
            var samples = Signals.DecodeAll(source);
            if (mix && !useNativeDecoders) samples = [.. Enumerable.Range(0, samples.Length / channels).Select(i => (samples[i * channels] + samples[i * channels + 1]) / 2)];
            return (samples, source.DeclaredDuration);
        }
        var managed = Decode(useNativeDecoders: false, seekableInput: true);
        var native = Decode(useNativeDecoders: true, seekableInput: seekable);
        Assert.Equal(managed.Samples.Length, native.Samples.Length);
        double largest = 0;
        for (int i = 0; i < managed.Samples.Length; i++) largest = Math.Max(largest, Math.Abs(managed.Samples[i] - native.Samples[i]));
        Assert.InRange(largest, 0, 1e-5);
        Assert.True(managed.Samples.Max() > 0.1);
        // Only a stream that can seek lets the library find the length; one that cannot is decoded in one pass.
        if (seekable) Assert.Equal(4.0, native.Declared!.Value.TotalSeconds, 0.01);
        else Assert.Null(native.Declared);
    }

    [Fact]
    public void A_chained_Vorbis_stream_is_read_in_the_layout_of_its_first_link()
    {
        // Ogg files concatenated (as some radio rips and playlists are) may change rate and channels between links;
        // read as the first link's layout they would be garbled, so a foreign link is dropped and the rest decodes.
        byte[] stereo = StereoVorbis(44100, 2), mono = StereoVorbis(48000, 1);
        using var source = Open([.. stereo, .. mono, .. stereo]).Source;
        Assert.Equal((44100, 2), (source.SampleRateHz, source.Channels));
        int frames = Signals.DecodeAll(source).Length / 2;
        Assert.True(Math.Abs(frames - 2 * 4 * 44100) <= 4096, $"{frames} frames decoded: both stereo links, not the mono one");
    }

    [Fact]
    public void Vorbis_cut_short_or_damaged_midway_gives_what_it_holds_or_a_clear_error()
    {
        var ogg = StereoVorbis(44100, 2);
        // Cut in the middle of a page, as an interrupted download is: what came before decodes, as NVorbis decodes it (to
        // within the cut page's packets, which NVorbis reads and the library does not).
        int Frames(byte[] bytes, bool useNativeDecoders)
        {
            using var source = Open(bytes, useNativeDecoders).Source;
            return Signals.DecodeAll(source).Length / 2;
        }
        var cut = ogg[..(ogg.Length / 2)];
        int native = Frames(cut, useNativeDecoders: true), managed = Frames(cut, useNativeDecoders: false);
        Assert.True(native > 44100 / 2 && Math.Abs(native - managed) <= 2048, $"{native} frames decoded, NVorbis {managed}");
        // Noise over a stretch of pages (a bad sector, a download resumed at the wrong place): the library finds the next
        // page it can read and goes on (about 3 of the 4 seconds come out); NVorbis stops at the damage, without an error.
        var damaged = (byte[])ogg.Clone();
        new Random(3).NextBytes(damaged.AsSpan(ogg.Length / 3, 4000));
        int afterDamage = Frames(damaged, useNativeDecoders: true);
        Assert.True(afterDamage is > 44100 * 2 and < 44100 * 4, $"{afterDamage} frames decoded");
        Assert.True(Frames(damaged, useNativeDecoders: false) < afterDamage);
        // Headers destroyed: not Vorbis to the library, said so.
        var headless = (byte[])ogg.Clone();
        new Random(4).NextBytes(headless.AsSpan(40, 3000));
        var error = Assert.Throws<CorruptAudioException>(() => Signals.DecodeAll(Open(headless).Source));
        Assert.Contains("Ogg Vorbis", error.Message);
    }

    [Fact]
    public void Mp3_with_damage_midway_decodes_around_it()
    {
        // 20 kB of noise in the middle of the stream (a bad sector, a download resumed at the wrong place): libmpg123
        // must find the frames after it, and drop the false frames the noise holds (one of them, with this seed, reads
        // as 8 kHz), rather than give up on the file. NLayer stops at the damage, without an error.
        var mp3 = StereoMp3.Value;
        int middle = mp3.Length / 2;
        var noise = new byte[20_000];
        new Random(3).NextBytes(noise);
        byte[] damaged = [.. mp3[..middle], .. noise, .. mp3[middle..]];
        int Frames(bool useNativeDecoders)
        {
            using var source = Open(damaged, useNativeDecoders).Source;
            return Signals.DecodeAll(source).Length / 2;
        }
        int native = Frames(useNativeDecoders: true);
        Assert.True(native is >= 44100 * 7 / 2 and <= 44100 * 9 / 2, $"{native} frames decoded"); // 4 s, give or take what the damage broke
        Assert.InRange(Frames(useNativeDecoders: false), 44100 * 3 / 2, 44100 * 5 / 2);
    }

    [Fact]
    public void Mp3_that_stops_midway_decodes_what_is_there_and_garbage_after_a_tag_is_corrupt()
    {
        var mp3 = StereoMp3.Value;
        using (var truncated = Open(mp3[..(mp3.Length / 2)]).Source)
            Assert.InRange(Signals.DecodeAll(truncated).Length / 2, 44100 * 3 / 2, 44100 * 5 / 2);
        // An ID3v2 tag (10-byte header, 20 bytes of body), then bytes that hold no MPEG frame.
        byte[] tagged = [0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 20, .. new byte[20], .. Enumerable.Repeat((byte)0x41, 100_000)];
        Assert.Throws<CorruptAudioException>(() => Signals.DecodeAll(Open(tagged).Source));
    }

    [Fact]
    public void Flac_downmixed_in_the_decoder_is_exactly_the_mean_the_measurer_takes()
    {
        // Bit for bit, so that asking the decoder for the mix changes no feature and no verdict.
        var music = Signals.Interleave(Signals.MusicLike(44100, 2, seed: 7), Signals.MusicLike(44100, 2, seed: 8));
        var flac = Signals.Encode(Signals.Wav(music, 44100, 2, 16), "flac", "-c:a", "flac");
        using var stereo = Open(flac).Source;
        var interleaved = Signals.DecodeAll(stereo);
        using var mixed = Open(flac).Source;
        Assert.True(mixed.TryDownmixToMono());
        Assert.Equal(1, mixed.Channels);
        var mono = Signals.DecodeAll(mixed);
        Assert.Equal(interleaved.Length / 2, mono.Length);
        int differing = 0;
        for (int i = 0; i < mono.Length; i++)
        {
            float sum = 0; // as AudioMeasurer mixes
            sum += interleaved[2 * i];
            sum += interleaved[2 * i + 1];
            if (sum * 0.5f != mono[i]) differing++;
        }
        Assert.Equal(0, differing);
        Assert.True(mono.Max() > 0.1f);
    }

    [Fact]
    public void Decoders_that_cannot_downmix_leave_the_channels_alone()
    {
        using var wav = Open(Signals.Wav(Tone, 44100, 2)).Source;
        Assert.False(wav.TryDownmixToMono());
        Assert.Equal(2, wav.Channels);
        Assert.Equal(Tone.Length, Signals.DecodeAll(wav).Length);
    }

    [Fact]
    public void Format_comes_from_bytes_not_the_name()
    {
        Assert.Equal(AudioFormat.Wav, FormatSniffer.Sniff(Signals.Wav(Tone, 44100, 2).AsSpan(0, 64)));
        Assert.Equal(AudioFormat.Unknown, FormatSniffer.Sniff("%PDF-1.7 this is not audio"u8));
        Assert.Equal(AudioFormat.Flac, FormatSniffer.Sniff("fLaC\0\0\0\""u8));
    }

    [Fact]
    public void Empty_input_is_a_clear_error() =>
        Assert.Throws<CorruptAudioException>(() => Open([]));

    [Fact]
    public void Text_is_not_audio() =>
        Assert.Throws<UnsupportedFormatException>(() => Open("hello, this is a text file, not a song\n"u8.ToArray()));

    [Fact]
    public void A_video_without_an_audio_track_says_so()
    {
        var error = Assert.Throws<NoAudioTrackException>(() => Open(Signals.VideoWithoutAudio()));
        Assert.Equal("The file has no audio track.", error.Message);
    }

    [Theory]
    [InlineData(0, 44100, "WAV fmt chunk declares no channels.")]
    [InlineData(2, 0, "WAV sample rate 0 Hz is not plausible.")]
    public void Wav_with_impossible_format_values_says_which(int channels, int rateHz, string message)
    {
        var wav = Signals.Wav(Tone, 44100, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), rateHz);
        Assert.Equal(message, Assert.Throws<CorruptAudioException>(() => Open(wav)).Message);
    }

    [Fact]
    public void Non_finite_float_samples_decode_as_silence()
    {
        var samples = Signals.Sine(440, 44100, 1000);
        samples[10] = float.NaN;
        samples[20] = float.PositiveInfinity;
        samples[30] = float.NegativeInfinity;
        using var source = Open(Signals.Wav(samples, 44100, 1, bits: 32, isFloat: true)).Source;
        var decoded = Signals.DecodeAll(source);
        Assert.All(decoded, v => Assert.True(float.IsFinite(v)));
        Assert.Equal([0f, 0f, 0f], [decoded[10], decoded[20], decoded[30]]);
        Assert.Equal(samples[11], decoded[11]);
    }

    [Fact]
    public void Truncated_wav_header_is_corrupt() =>
        Assert.Throws<CorruptAudioException>(() => Open(Signals.Wav(Tone, 44100, 2)[..20]));

    [Fact]
    public void Truncated_flac_decodes_what_is_there()
    {
        var flac = Signals.Encode(Signals.Wav(Tone, 44100, 2), "flac", "-c:a", "flac");
        using var source = Open(flac[..(flac.Length / 2)]).Source;
        var decoded = Signals.DecodeAll(source);
        Assert.InRange(decoded.Length / 2, 4096, 44100 - 4096);
    }
}

namespace Discern.Audio;

/// <summary>Containers and codecs recognised from the first bytes of a file.</summary>
public enum AudioFormat
{
    /// <summary>Nothing recognised.</summary>
    Unknown,
    /// <summary>RIFF/RF64 WAVE (PCM or IEEE float).</summary>
    Wav,
    /// <summary>MPEG-1/2 Layer III.</summary>
    Mp3,
    /// <summary>Native FLAC stream.</summary>
    Flac,
    /// <summary>Ogg container with a Vorbis stream.</summary>
    OggVorbis,
    /// <summary>Ogg container with an Opus stream.</summary>
    OggOpus,
    /// <summary>Ogg container with FLAC or another codec.</summary>
    OggOther,
    /// <summary>Raw AAC in ADTS frames.</summary>
    AacAdts,
    /// <summary>ISO base media (MP4, M4A, MOV, 3GP).</summary>
    Mp4,
    /// <summary>Matroska or WebM.</summary>
    Matroska,
    /// <summary>ASF (WMA, WMV).</summary>
    Asf,
    /// <summary>AIFF or AIFF-C.</summary>
    Aiff,
    /// <summary>Other MPEG audio layers (I, II).</summary>
    MpegAudioOther,
    /// <summary>Other formats only ffmpeg may know (CAF, AMR, AC-3, FLV, MPEG-TS…).</summary>
    OtherMedia,
}

/// <summary>
/// Recognises a format from magic bytes, never from a file name: uploads are routinely misnamed,
/// and a video site's ".mp3" may hold AAC in MP4.
/// </summary>
public static class FormatSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> wants to see (more are ignored).</summary>
    public const int HeaderBytes = 64;

    /// <summary>
    /// Size of an ID3v2 tag at the start of <paramref name="header"/>, or 0 when there is none.
    /// Callers skip it and sniff again, because an ID3 tag may precede MP3, AAC or even FLAC data.
    /// </summary>
    public static int Id3v2Length(ReadOnlySpan<byte> header)
    {
        if (header.Length < 10 || header[0] != 'I' || header[1] != 'D' || header[2] != '3') return 0;
        if (((header[6] | header[7] | header[8] | header[9]) & 0x80) != 0) return 0;
        int size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9];
        bool footer = (header[5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    /// <summary>Identifies the format of data whose first bytes (after any ID3v2 tag) are <paramref name="header"/>.</summary>
    public static AudioFormat Sniff(ReadOnlySpan<byte> header)
    {
        if (header.Length < 4) return AudioFormat.Unknown;
        if (StartsWith(header, "RIFF"u8) || StartsWith(header, "RF64"u8))
            return header.Length >= 12 && header.Slice(8, 4).SequenceEqual("WAVE"u8) ? AudioFormat.Wav
                : header.Length >= 12 && header.Slice(8, 4).SequenceEqual("AVI "u8) ? AudioFormat.OtherMedia : AudioFormat.Unknown;
        if (StartsWith(header, "fLaC"u8)) return AudioFormat.Flac;
        if (StartsWith(header, "OggS"u8)) return SniffOgg(header);
        if (StartsWith(header, "FORM"u8) && header.Length >= 12
            && (header.Slice(8, 4).SequenceEqual("AIFF"u8) || header.Slice(8, 4).SequenceEqual("AIFC"u8)))
            return AudioFormat.Aiff;
        if (header.Length >= 8 && header.Slice(4, 4).SequenceEqual("ftyp"u8)) return AudioFormat.Mp4;
        if (StartsWith(header, [0x1A, 0x45, 0xDF, 0xA3])) return AudioFormat.Matroska;
        if (StartsWith(header, [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11])) return AudioFormat.Asf;
        if (StartsWith(header, "caff"u8) || StartsWith(header, "#!AMR"u8) || StartsWith(header, "FLV"u8)
            || StartsWith(header, [0x0B, 0x77]) || (header[0] == 0x47 && header.Length > 188 && header[188] == 0x47))
            return AudioFormat.OtherMedia;
        if (header[0] == 0xFF)
        {
            byte b1 = header[1];
            if ((b1 & 0xF6) == 0xF0) return AudioFormat.AacAdts;          // sync 0xFFF, layer 00
            if ((b1 & 0xE0) == 0xE0)
            {
                int layer = (b1 >> 1) & 3;
                int version = (b1 >> 3) & 3;
                int bitrateIndex = header[2] >> 4;
                int rateIndex = (header[2] >> 2) & 3;
                if (version == 1 || layer == 0 || bitrateIndex == 15 || rateIndex == 3) return AudioFormat.Unknown;
                return layer == 1 ? AudioFormat.Mp3 : AudioFormat.MpegAudioOther;
            }
        }
        return AudioFormat.Unknown;
    }

    private static AudioFormat SniffOgg(ReadOnlySpan<byte> header)
    {
        // First page: 27-byte header, segment table, then the first packet's identification header.
        if (header.Length < 28) return AudioFormat.OggOther;
        int segments = header[26];
        int start = 27 + segments;
        if (header.Length < start + 8) return AudioFormat.OggOther;
        var packet = header[start..];
        if (packet[0] == 1 && packet.Slice(1, 6).SequenceEqual("vorbis"u8)) return AudioFormat.OggVorbis;
        if (packet.Slice(0, 8).SequenceEqual("OpusHead"u8)) return AudioFormat.OggOpus;
        return AudioFormat.OggOther;
    }

    private static bool StartsWith(ReadOnlySpan<byte> data, ReadOnlySpan<byte> prefix)
        => data.Length >= prefix.Length && data[..prefix.Length].SequenceEqual(prefix);
}

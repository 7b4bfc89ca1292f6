using System.Buffers.Binary;

namespace Discern.Tests;

/// <summary>Runs alone: it counts the whole process's allocations, which tests running beside it would add to.</summary>
[CollectionDefinition(nameof(StreamingTests), DisableParallelization = true)]
public sealed class StreamingCollection;

/// <summary>Memory stays bounded however long the audio: the analysis streams, it never holds the input.</summary>
[Collection(nameof(StreamingTests))]
public class StreamingTests
{
    [Fact]
    public async Task Ten_minutes_are_analysed_in_less_memory_than_they_take_and_twenty_in_about_the_same()
    {
        var detector = Detector.Load();
        await detector.AnalyzeAsync(new GeneratedWav(30)); // JIT and first-use caches out of the count

        long tenMinutes = await AllocatedWhile(() => detector.AnalyzeAsync(new GeneratedWav(600)));
        long twentyMinutes = await AllocatedWhile(() => detector.AnalyzeAsync(new GeneratedWav(1200)));

        long tenMinutesOfPcm = GeneratedWav.SampleRateHz * 600L * sizeof(short);
        Assert.True(tenMinutes < tenMinutesOfPcm / 4, $"ten minutes allocated {tenMinutes:N0} bytes; their PCM alone is {tenMinutesOfPcm:N0}");
        // Only the per-segment results grow with length (a few hundred bytes per 2.3 s segment); buffers do not.
        Assert.True(twentyMinutes < tenMinutes + tenMinutesOfPcm / 20, $"20 min: {twentyMinutes:N0} bytes, 10 min: {tenMinutes:N0}");
    }

    private static async Task<long> AllocatedWhile(Func<Task<Verdict>> analyse)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var verdict = await analyse();
        Assert.NotNull(verdict.ProbabilityAi);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>
    /// A 16-bit mono WAV of music-like sound (drifting partials over a little noise) made as it is read, so that the test
    /// itself never holds the audio either.
    /// </summary>
    private sealed class GeneratedWav(int seconds) : Stream
    {
        public const int SampleRateHz = 22050;
        private readonly long _dataBytes = (long)seconds * SampleRateHz * sizeof(short);
        private readonly Random _noise = new(7);
        private long _position;

        public override int Read(Span<byte> buffer)
        {
            int written = 0;
            Span<byte> header = stackalloc byte[44];
            while (written < buffer.Length && _position < 44 + _dataBytes)
            {
                if (_position < 44)
                {
                    WriteHeader(header);
                    int n = (int)Math.Min(44 - _position, buffer.Length - written);
                    header.Slice((int)_position, n).CopyTo(buffer[written..]);
                    written += n;
                    _position += n;
                    continue;
                }
                if (buffer.Length - written < 2) break;
                long sample = (_position - 44) / 2;
                double t = (double)sample / SampleRateHz;
                double note = 220 * Math.Pow(2, Math.Floor(t / 0.5) % 12 / 12); // a new note every half second
                double value = 0.3 * Math.Sin(2 * Math.PI * note * t) + 0.15 * Math.Sin(2 * Math.PI * 2 * note * t)
                               + 0.02 * (_noise.NextDouble() - 0.5);
                BinaryPrimitives.WriteInt16LittleEndian(buffer[written..], (short)Math.Round(value * 32767));
                written += 2;
                _position += 2;
            }
            return written;
        }

        private void WriteHeader(Span<byte> header)
        {
            "RIFF"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(36 + _dataBytes));
            "WAVEfmt "u8.CopyTo(header[8..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
            BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);
            BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
            BinaryPrimitives.WriteUInt32LittleEndian(header[24..], SampleRateHz);
            BinaryPrimitives.WriteUInt32LittleEndian(header[28..], SampleRateHz * sizeof(short));
            BinaryPrimitives.WriteUInt16LittleEndian(header[32..], sizeof(short));
            BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
            "data"u8.CopyTo(header[36..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)_dataBytes);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

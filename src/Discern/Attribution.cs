using System.Globalization;

namespace Discern;

/// <summary>
/// Names a likely decoder family from the comb spacing of the residual peaks. The spacing is the decoder's latent
/// frame rate (sample rate / product of upsampling strides), so it points to an architecture, not to a product:
/// see Afchar et al., ISMIR 2025, and the table in docs/literature-notes.md.
/// </summary>
public static class Attribution
{
    /// <summary>A known decoder family and the comb spacing its upsampling leaves.</summary>
    /// <param name="Family">Name.</param>
    /// <param name="SpacingHz">Expected spacing.</param>
    /// <param name="Why">Where the number comes from.</param>
    public sealed record DecoderFamily(string Family, double SpacingHz, string Why);

    /// <summary>Decoder families with a published stride product.</summary>
    public static IReadOnlyList<DecoderFamily> Known { get; } =
    [
        new("VAE decoder, 2048× upsampling (Stable Audio Open-like)", 44100.0 / 2048, "Oobleck VAE at 44.1 kHz: 44100 / 2048 ≈ 21.5 Hz"),
        new("EnCodec-like codec, 32 kHz (MusicGen)", 32000.0 / 640, "EnCodec 32 kHz strides 8·5·4·4 = 640: 50 Hz"),
        new("EnCodec-like codec, 24 kHz", 24000.0 / 320, "EnCodec 24 kHz strides 8·5·4·2 = 320: 75 Hz"),
        new("EnCodec-like codec, 48 kHz", 48000.0 / 320, "EnCodec 48 kHz strides 8·5·4·2 = 320: 150 Hz"),
        new("DAC-like codec or HiFi-GAN vocoder, 512× upsampling", 44100.0 / 512, "hop 512 at 44.1 kHz ≈ 86 Hz"),
        new("HiFi-GAN-like vocoder, 256× upsampling", 44100.0 / 256, "hop 256 at 44.1 kHz ≈ 172 Hz"),
    ];

    /// <summary>Relative tolerance on the spacing: ±4 % covers measurement error and small speed changes, not a semitone shift.</summary>
    public const double Tolerance = 0.04;

    /// <summary>Comb strength from which a spacing is taken as evidence of a decoder.</summary>
    public const double MinCombStrength = 0.25;

    /// <summary>
    /// Grid score (<see cref="Dsp.GridComb.Score"/>) from which lines at an exact sub-multiple of a sample rate are taken as a
    /// decoder's. On the development corpus it names 15 of Deezer's 20 codec-autoencoder reconstructions, 19 of SongCreator's
    /// 23 outputs, none of the 68 diffusion and Griffin-Lim clips, 6 of SongCreator's 9 prompts (with its outputs' own grid)
    /// and 4 of the other 75 human clips (docs/results.md); the name is shown only beside an "ai" verdict.
    /// </summary>
    public const double MinGridScore = 4;

    /// <summary>
    /// Relative tolerance between a grid's spacing and a family's. Both are exact sub-multiples of a sample rate, so a
    /// match is equality to rounding; the nearest other candidate spacing lies 0.9 % or more from every family's.
    /// </summary>
    public const double GridTolerance = 0.005;

    /// <summary>
    /// Lowest score at which a grid found only after a pitch shift (<see cref="Dsp.DecoderGrid.PitchShiftsSemitones"/>) is
    /// taken as a decoder's: four more looks let music match more often. Measured held out on the development corpus
    /// (docs/results.md): as the files are, one human clip of 75 more shows a grid (SongCreator's prompts aside); after a
    /// pitch shift of one semitone either way, 7–10 of Deezer's 20 codec reconstructions and 4–6 of SongCreator's 23
    /// outputs are found again (none without the shifted looks), and 0–1 more of the 75 human clips.
    /// </summary>
    public const double MinShiftedGridScore = 5;

    /// <summary>
    /// Whether <paramref name="grid"/> is strong enough to be taken as a decoder's (<see cref="MinGridScore"/>, or
    /// <see cref="MinShiftedGridScore"/> for one found only after a pitch shift).
    /// </summary>
    public static bool IsDecoderGrid(Dsp.GridComb grid) =>
        grid.SpacingHz > 0 && grid.Score >= (grid.PitchShiftSemitones == 0 ? MinGridScore : MinShiftedGridScore);

    /// <summary>
    /// The decoder that an exact grid of lines points to: a known family whose spacing it matches, or the upsampling factor
    /// and rate the spacing divides; null below <see cref="MinGridScore"/>. Unlike a comb's spacing, a grid's is not matched
    /// at twice a family's: the grid test already preferred it to every other sub-multiple, the family's own included.
    /// </summary>
    public static GeneratorGuess? Guess(Dsp.GridComb grid)
    {
        if (!IsDecoderGrid(grid)) return null;
        string where = grid.PitchShiftSemitones == 0
            ? $"The residual spectrum has lines at exact multiples of {grid.SpacingHz:0.00} Hz = {grid.SampleRateHz} Hz / {grid.Upsampling} (grid score {grid.Score:0.0}), "
            : $"The residual spectrum has lines at exact multiples of {grid.SpacingHz:0.00} Hz, which is {grid.SampleRateHz} Hz / {grid.Upsampling} = {grid.DecoderSpacingHz:0.00} Hz moved by {Semitones(grid.PitchShiftSemitones)} (grid score {grid.Score:0.0}; the audio was pitch-shifted after it was decoded), ";
        // The shift is part of the name: a family's lines a semitone away are the one thing that tells an evasion.
        string shifted = grid.PitchShiftSemitones == 0 ? "" : $", pitch-shifted {Semitones(grid.PitchShiftSemitones)}";
        foreach (var family in Known)
            if (Math.Abs(grid.DecoderSpacingHz - family.SpacingHz) <= GridTolerance * family.SpacingHz)
                return new GeneratorGuess(family.Family + shifted, grid.SpacingHz, where + $"as a decoder with {family.Why} leaves.");
        return new GeneratorGuess($"neural decoder, {grid.Upsampling}× upsampling at {grid.SampleRateHz / 1000.0:0.##} kHz{shifted}", grid.SpacingHz,
            where + $"the frame rate of a decoder that makes {grid.Upsampling} samples per latent frame at {grid.SampleRateHz} Hz; no family on record has it.");
    }

    /// <summary>A signed number of semitones in words ("+1 semitone", "-2 semitones"), as names and reasons give a shift.</summary>
    internal static string Semitones(int semitones) =>
        string.Create(CultureInfo.InvariantCulture, $"{semitones:+0;-0} semitone{(Math.Abs(semitones) == 1 ? "" : "s")}");

    /// <summary>
    /// The decoder an exact grid names, or else the family the comb points to: a grid is the sharper evidence (exact
    /// positions, not only regular ones), so it is asked first; null when neither is strong enough.
    /// </summary>
    public static GeneratorGuess? Guess(Dsp.GridComb grid, Dsp.CombEstimate comb) => Guess(grid) ?? Guess(comb);

    /// <summary>The family that best matches <paramref name="comb"/>, "unknown neural decoder" for a strong comb that matches none, or null for no comb.</summary>
    public static GeneratorGuess? Guess(Dsp.CombEstimate comb)
    {
        if (comb.Strength < MinCombStrength || comb.SpacingHz <= 0) return null;
        foreach (var family in Known)
        {
            // A measured comb may be the fundamental spacing or a multiple of it when the odd teeth are weak.
            for (int multiple = 1; multiple <= 2; multiple++)
            {
                double expected = family.SpacingHz * multiple;
                if (Math.Abs(comb.SpacingHz - expected) <= Tolerance * expected)
                    return new GeneratorGuess(family.Family, comb.SpacingHz,
                        $"The residual spectrum has peaks every {comb.SpacingHz:0.0} Hz (regularity {comb.Strength:0.00}), as a decoder with {family.Why} leaves.");
            }
        }
        return new GeneratorGuess("unknown neural decoder", comb.SpacingHz,
            $"The residual spectrum has peaks every {comb.SpacingHz:0.0} Hz (regularity {comb.Strength:0.00}), which matches no decoder family on record.");
    }
}

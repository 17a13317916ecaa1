using System.Globalization;
using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// Communication compression (<c>fedactors.compression</c>): the uplink codec chain that each client update passes
/// through after the client transforms, written as codec names joined by <c>+</c> in client order
/// (<c>topk-0.01+q8</c>), or <c>none</c>; a chain that ends in <c>ef</c> (<c>topk-0.01+ef</c>) keeps each client's
/// residual and adds it to its next update (error feedback).
/// </summary>
public sealed record CompressionSettings
{
    private const string Section = "fedactors.compression";

    private CompressionSettings(IEnumerable<IUpdateTransformSettings> uplink, int quantizeChunkSize, bool errorFeedback = false) =>
        (Uplink, QuantizeChunkSize, ErrorFeedback) = (new(uplink), quantizeChunkSize, errorFeedback);

    /// <summary>The uplink codecs, in the order the client applies them (without <c>ef</c>). <value>Default none.</value></summary>
    public ValueList<IUpdateTransformSettings> Uplink { get; }

    /// <summary>The chain ends in <c>ef</c>: clients keep what the codecs dropped and send it with their next update. <value>Default false.</value></summary>
    public bool ErrorFeedback { get; }

    /// <summary>
    /// Bytes of residuals a node keeps in memory (<c>residual-memory-mb</c>); the rest are read back from the client-state
    /// store, which holds them all. <value>Default 256 MiB.</value>
    /// </summary>
    public long ResidualMemoryBytes { get; init; } = 256L << 20;

    /// <summary>
    /// The downlink codec (<c>downlink</c>): model versions go to clients encoded with it, and clients train from the decoded
    /// weights (<see cref="ModelBroadcasts"/>). Null: float32. <value>Default none.</value>
    /// </summary>
    public IUpdateTransformSettings? Downlink { get; init; }

    /// <summary>
    /// Both directions in one line, as <c>summary.json</c> writes them: the uplink chain, then <c>; downlink q8</c> when the
    /// downlink is compressed (<c>none; downlink fp16</c>); null when neither is.
    /// </summary>
    public string? Summary => Uplink.Count == 0 && Downlink is null ? null
        : Downlink is null ? Chain : $"{Chain}; downlink {Downlink.Name}";

    /// <summary>What the update pipeline appends after the client transforms: the codecs, wrapped in error feedback when the chain ends in <c>ef</c>.</summary>
    public IReadOnlyList<IUpdateTransformSettings> Transforms => ErrorFeedback ? [new ErrorFeedbackSettings(Uplink)] : Uplink;

    /// <summary>Values per chunk of the quantizers (<c>quantize-chunk-size</c>). <value>Default 512.</value></summary>
    public int QuantizeChunkSize { get; }

    /// <summary>No compression, as in reference.conf.</summary>
    public static CompressionSettings None { get; } = new([], 512);

    /// <summary>The chain as the config writes it: <c>none</c>, or the codec names joined by <c>+</c>.</summary>
    public string Chain => Uplink.Count == 0 ? "none" : string.Join("+", Uplink.Select(c => c.Name).Concat(ErrorFeedback ? [Compression.ErrorFeedback.CodecName] : []));

    /// <summary>Reads <c>fedactors.compression</c>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or a codec chain is not one this build reads.</exception>
    public static CompressionSettings Create(Config config)
    {
        var c = new ConfigReader(config, Section);
        int chunkSize = c.Int("quantize-chunk-size", min: 1);
        long residualMemory = c.Int("residual-memory-mb", min: 0) * (1L << 20);
        var chain = c.String("uplink");
        try
        {
            var uplink = Parse(chain, chunkSize);
            var downlink = c.String("downlink");
            try
            {
                return uplink with { ResidualMemoryBytes = residualMemory, Downlink = ParseDownlink(downlink, chunkSize) };
            }
            catch (FormatException e)
            {
                throw new ConfigurationException($"{Section}.{e.Message}");
            }
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"{Section}.uplink = \"{chain}\": {e.Message}");
        }
    }

    /// <summary>The downlink codec <paramref name="name"/> names: none, fp16, or one of the quantizers.</summary>
    /// <exception cref="FormatException">Another codec: a sparsifier or error feedback has no meaning for a whole model.</exception>
    public static IUpdateTransformSettings? ParseDownlink(string name, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim();
        if (text.Length == 0 || text == "none") return null;
        const string takes = "a model version is sent whole, with one value codec: none, fp16, q1 to q8 or q1-hadamard to q8-hadamard";
        IUpdateTransformSettings codec;
        try
        {
            codec = Codec(text, chunkSize);
        }
        catch (FormatException e)
        {
            throw new FormatException($"downlink = \"{name}\": {(text.Contains('+') || text == Compression.ErrorFeedback.CodecName ? takes : e.Message)}");
        }
        if (codec is HalfPrecisionSettings or QuantizerSettings) return codec;
        throw new FormatException($"downlink = \"{name}\": {takes}");
    }

    /// <summary>The settings of the chain <paramref name="chain"/>, quantizing in chunks of <paramref name="chunkSize"/>.</summary>
    /// <exception cref="FormatException">An unknown codec, a bad fraction or count, or codecs in an order that cannot compose.</exception>
    public static CompressionSettings Parse(string chain, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var text = chain.Trim();
        if (text.Length == 0 || text == "none") return new CompressionSettings([], chunkSize);
        var codecs = new List<IUpdateTransformSettings>();
        var tokens = text.Split('+').Select(t => t.Trim()).ToList();
        bool errorFeedback = tokens[^1] == Compression.ErrorFeedback.CodecName;
        if (errorFeedback) tokens.RemoveAt(tokens.Count - 1);
        if (tokens.Contains(Compression.ErrorFeedback.CodecName))
            throw new FormatException("'ef' must come last: error feedback keeps what the codecs before it dropped");
        if (errorFeedback && tokens.Count == 0)
            throw new FormatException("'ef' needs a lossy codec before it, e.g. topk-0.01+ef: alone it has nothing to feed back");
        foreach (var token in tokens)
        {
            var codec = Codec(token, chunkSize);
            bool sparsifier = codec is TopKSettings or RandomKSettings;
            if (sparsifier && codecs.Count > 0)
                throw new FormatException($"'{token}' must come first: a sparsifier works on the whole float32 update");
            if (!sparsifier && codecs.Any(x => x is not TopKSettings and not RandomKSettings))
                throw new FormatException($"'{token}' follows another value codec; a chain has at most one of fp16, q1…q8");
            if (codec is QuantizerSettings { Rotate: true } && codecs.Count > 0)
                throw new FormatException($"'{token}' rotates the whole update: it cannot follow a sparsifier");
            codecs.Add(codec);
        }
        return new CompressionSettings(codecs, chunkSize, errorFeedback);
    }

    private static IUpdateTransformSettings Codec(string token, int chunkSize)
    {
        if (token == HalfPrecisionCodec.CodecName) return new HalfPrecisionSettings();
        if (token.Length == 2 && token[0] == 'q' && token[1] is >= '1' and <= '8') return new QuantizerSettings(token[1] - '0', chunkSize);
        if (token.Length == 11 && token[0] == 'q' && token[1] is >= '1' and <= '8' && token.EndsWith("-hadamard", StringComparison.Ordinal))
        {
            if ((chunkSize & (chunkSize - 1)) != 0)
                throw new FormatException($"'{token}' rotates chunks of quantize-chunk-size values, which must be a power of two, not {chunkSize}");
            return new QuantizerSettings(token[1] - '0', chunkSize, Rotate: true);
        }
        foreach (var (prefix, make) in new (string, Func<SparsifiedCount, IUpdateTransformSettings>)[]
                 { ("topk-layer-", k => new TopKSettings(k, PerLayer: true)), ("topk-", k => new TopKSettings(k)), ("randk-", k => new RandomKSettings(k)) })
            if (token.StartsWith(prefix, StringComparison.Ordinal)) return make(Kept(token, token[prefix.Length..]));
        throw new FormatException(
            $"unknown codec '{token}'; codecs are fp16, q1 to q8 (q8, q4, …), q1-hadamard to q8-hadamard, topk-F or topk-N, topk-layer-F or topk-layer-N, randk-F or randk-N (F a fraction such as 0.01, N a count), and ef last for error feedback");
    }

    private static SparsifiedCount Kept(string token, string amount)
    {
        // A fraction is written with a point (0.01, 1.0); a whole number is a count.
        if (amount.Contains('.') || amount.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            if (double.TryParse(amount, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 && f <= 1)
                return new SparsifiedCount(f, null);
            throw new FormatException($"'{token}': the fraction kept must be in (0, 1], got '{amount}'");
        }
        if (int.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
            return new SparsifiedCount(null, n);
        throw new FormatException($"'{token}': the count kept must be a whole number ≥ 1 (or a fraction such as 0.01), got '{amount}'");
    }
}

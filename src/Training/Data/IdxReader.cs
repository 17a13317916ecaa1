using System.Buffers.Binary;
using System.IO.Compression;

namespace FedActors.Training.Data;

/// <summary>An IDX array of unsigned bytes: its dimensions (first = sample count) and row-major payload.</summary>
/// <param name="Dimensions">Sizes from the header, outermost first.</param>
/// <param name="Data">The payload, exactly the product of <paramref name="Dimensions"/> bytes.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];
}

/// <summary>
/// Reads IDX files (the MNIST format: big-endian magic <c>0x0000 08 NN</c>, NN dimension sizes, uint8 payload),
/// raw or gzip-compressed, and validates them strictly.
/// </summary>
/// <remarks>
/// Gzip is detected by its magic bytes (1f 8b), not by the file name, because mirrors and package managers
/// rename and recompress files. Every problem is reported as a <see cref="DatasetFormatException"/> naming the file.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of a 1-D uint8 IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Magic number of a 3-D uint8 IDX file (images: count × rows × columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>True when the file starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        return file.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>Opens the file's IDX content, decompressing it on the fly when it is gzip.</summary>
    public static Stream OpenContent(string path)
    {
        bool gzip = IsGzip(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>Reads and validates only the header: cheap enough to vet a candidate directory.</summary>
    /// <param name="path">The IDX file, raw or gzip.</param>
    /// <param name="expectedMagic"><see cref="LabelsMagic"/> or <see cref="ImagesMagic"/>.</param>
    /// <returns>The dimension sizes, outermost first.</returns>
    public static int[] ReadHeader(string path, int expectedMagic)
    {
        using var content = OpenContent(path);
        return Guard(path, () => ReadHeader(content, path, expectedMagic));
    }

    /// <summary>Reads a whole IDX file and checks that the payload has exactly the size the header promises.</summary>
    public static IdxArray Read(string path, int expectedMagic)
    {
        using var content = OpenContent(path);
        return Guard(path, () =>
        {
            int[] dims = ReadHeader(content, path, expectedMagic);
            long expected = dims.Aggregate(1L, (a, d) => a * d);
            if (expected > Array.MaxLength)
                throw new DatasetFormatException(path, $"header promises {Describe(dims)} = {expected} bytes, more than an array can hold");

            var data = new byte[expected];
            int read = content.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < expected)
                throw new DatasetFormatException(path,
                    $"truncated: header promises {Describe(dims)} = {expected} payload bytes but only {read} follow");
            long trailing = CountRemaining(content);
            if (trailing > 0)
                throw new DatasetFormatException(path,
                    $"{trailing} bytes of trailing data after the {expected}-byte payload ({Describe(dims)})");
            return new IdxArray(dims, data);
        });
    }

    /// <summary>Reads a 1-D uint8 label file.</summary>
    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic).Data;

    /// <summary>Reads a 3-D uint8 image file (count × rows × columns).</summary>
    public static IdxArray ReadImages(string path) => Read(path, ImagesMagic);

    /// <summary>Reads an image file and its label file and checks that they describe the same number of samples.</summary>
    public static (IdxArray Images, byte[] Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new DatasetFormatException(labelsPath,
                $"{labels.Length} labels but {imagesPath} holds {images.Count} images");
        return (images, labels);
    }

    private static int[] ReadHeader(Stream content, string path, int expectedMagic)
    {
        Span<byte> word = stackalloc byte[4];
        int got = content.ReadAtLeast(word, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DatasetFormatException(path, $"too short for an IDX header ({got} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
            throw new DatasetFormatException(path,
                $"not an IDX {KindOf(expectedMagic)} file: magic 0x{magic:X8}, expected 0x{expectedMagic:X8}");

        var dims = new int[expectedMagic & 0xFF];
        for (int i = 0; i < dims.Length; i++)
        {
            if (content.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
                throw new DatasetFormatException(path, $"truncated header: {dims.Length} dimensions declared, {i} present");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] < 0)
                throw new DatasetFormatException(path, $"dimension {i} has a negative size ({dims[i]})");
        }
        return dims;
    }

    private static long CountRemaining(Stream content)
    {
        var buffer = new byte[4096];
        long total = 0;
        int n;
        while ((n = content.Read(buffer)) > 0)
            total += n;
        return total;
    }

    // Corrupt gzip surfaces as InvalidDataException deep inside a read; give it the file name.
    private static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(path, $"corrupt gzip data ({e.Message})", e);
        }
    }

    private static string KindOf(int magic) => magic switch
    {
        LabelsMagic => "uint8 1-D (labels)",
        ImagesMagic => "uint8 3-D (images)",
        _ => $"{magic & 0xFF}-D",
    };

    private static string Describe(int[] dims) => string.Join("×", dims);
}

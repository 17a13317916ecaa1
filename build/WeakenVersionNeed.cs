// MSBuild inline task (see Directory.Build.targets): marks one ELF version need of libLibTorchSharp.so
// as weak when the host's libstdc++ does not provide that version. Compiled against netstandard2.0.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class FedActorsWeakenGlibcxxNeed : Task
{
    [Required] public string Directory { get; set; } = "";
    [Required] public string Version { get; set; } = "";

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    private static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var libs = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (libs.Length == 0) return true;

        string hostLib = Array.Find(LibStdCxxCandidates, File.Exists);
        if (hostLib == null)
        {
            Log.LogMessage(MessageImportance.Normal, "libstdc++.so.6 not found in the usual places; leaving libLibTorchSharp.so as shipped.");
            return true;
        }
        if (ContainsBytes(File.ReadAllBytes(hostLib), Encoding.ASCII.GetBytes(Version + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{hostLib} provides {Version}; no patch needed.");
            return true;
        }

        foreach (var lib in libs)
        {
            try
            {
                var bytes = File.ReadAllBytes(lib);
                int changed = Weaken(bytes, Version);
                if (changed == 0) continue;
                // Write a new file and move it into place: this breaks any hard link to the package cache.
                var original = File.GetLastWriteTimeUtc(lib);
                var tmp = lib + ".patching";
                File.WriteAllBytes(tmp, bytes);
                File.Delete(lib);
                File.Move(tmp, lib);
                // Keep the package's timestamp so incremental copies treat the file as up to date.
                File.SetLastWriteTimeUtc(lib, original);
                Log.LogMessage(MessageImportance.High, $"FedActors: marked {Version} weak in {lib} (host libstdc++ lacks it).");
            }
            catch (Exception e)
            {
                Log.LogError($"FedActors: could not patch {lib}: {e.Message}");
                return false;
            }
        }
        return true;
    }

    private static bool ContainsBytes(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack[i] != needle[0]) continue;
            int j = 1;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="version"/>; returns how many changed.</summary>
    internal static int Weaken(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int strSh = checked((int)shoff + link * shentsize);
            long strOff = (long)BitConverter.ToUInt64(elf, strSh + 0x18);

            long vn = offset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                uint aux = BitConverter.ToUInt32(elf, (int)vn + 8);
                uint next = BitConverter.ToUInt32(elf, (int)vn + 12);
                long vna = vn + aux;
                for (int k = 0; k < cnt; k++)
                {
                    uint name = BitConverter.ToUInt32(elf, (int)vna + 8);
                    if (ReadCString(elf, strOff + name) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)vna + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            ushort weak = (ushort)(flags | VerFlgWeak);
                            elf[(int)vna + 4] = (byte)(weak & 0xff);
                            elf[(int)vna + 5] = (byte)(weak >> 8);
                            changed++;
                        }
                    }
                    uint vnaNext = BitConverter.ToUInt32(elf, (int)vna + 12);
                    if (vnaNext == 0) break;
                    vna += vnaNext;
                }
                if (next == 0) break;
                vn += next;
            }
        }
        return changed;
    }

    private static string ReadCString(byte[] data, long at)
    {
        int start = (int)at, end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, start, end - start);
    }
}

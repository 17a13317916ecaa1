namespace FedActors.Host.Cli;

/// <summary>Text for a shell, in the commands the tool prints for the user to run.</summary>
public static class Shell
{
    /// <summary><paramref name="path"/> as one shell word: as it is when it needs no quoting, in single quotes otherwise.</summary>
    public static string Quote(string path) =>
        path.All(c => char.IsLetterOrDigit(c) || "/._-+:@".Contains(c)) ? path : "'" + path.Replace("'", "'\\''") + "'";
}

using FedActors.Host.Settings;

namespace FedActors.Host.Cli;

/// <summary>What a command may use from its surroundings; tests pass their own writers and directory.</summary>
/// <param name="Out">Where results go (stdout).</param>
/// <param name="Error">Where errors and notices go (stderr).</param>
/// <param name="WorkingDirectory">The directory relative paths (<c>--out</c>, <c>--config</c>) are resolved against.</param>
/// <param name="IsInteractive">Stdout is a terminal that can show a live display.</param>
/// <param name="Time">The wall clock, e.g. for default run-directory names.</param>
public sealed record CommandContext(TextWriter Out, TextWriter Error, string WorkingDirectory, bool IsInteractive, TimeProvider Time)
{
    /// <summary>The strategies and transforms a config may name. <value>Default: the built-in ones.</value></summary>
    public Extensions Extensions { get; init; } = Extensions.BuiltIn;

    /// <summary>The real console, current directory and system clock.</summary>
    public static CommandContext ForConsole() => new(
        Console.Out, Console.Error, Environment.CurrentDirectory,
        IsInteractive: !Console.IsOutputRedirected && !Console.IsErrorRedirected,
        TimeProvider.System);

    /// <summary><paramref name="path"/> made absolute against <see cref="WorkingDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, WorkingDirectory);
}

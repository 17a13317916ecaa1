using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace FedActors.Tests.Shared;

/// <summary>
/// A PostgreSQL server for tests: the one named by <c>FEDACTORS_TEST_POSTGRES</c> (a connection string), or
/// else a private PostgreSQL 15 instance in a temporary directory, listening on 127.0.0.1 only, that is
/// stopped and deleted on dispose.
/// </summary>
/// <remarks>
/// The private instance trades durability for speed (<c>initdb --no-sync</c>, <c>fsync=off</c>): a test
/// checks what the server returns, not what survives a power cut. <c>initdb</c> refuses to run as root, so
/// under root the server runs as the <c>postgres</c> user.
/// </remarks>
public sealed class PrivatePostgres : IAsyncDisposable
{
    /// <summary>The environment variable that names an existing server to use instead.</summary>
    public const string EnvironmentVariable = "FEDACTORS_TEST_POSTGRES";

    /// <summary>Where Debian's postgresql-15 package puts the server binaries.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string? _directory;
    private readonly bool _asServiceUser;
    private int _disposed;

    private PrivatePostgres(string connectionString, string? directory, bool asServiceUser, TimeSpan startupTime)
    {
        ConnectionString = connectionString;
        _directory = directory;
        _asServiceUser = asServiceUser;
        StartupTime = startupTime;
    }

    /// <summary>Connection string to the server's maintenance database (or the external one as given).</summary>
    public string ConnectionString { get; }

    /// <summary>True when the server is private to this instance, false when it came from the environment.</summary>
    public bool IsPrivate => _directory is not null;

    /// <summary>How long <c>initdb</c> and <c>pg_ctl start</c> took (zero for an external server).</summary>
    public TimeSpan StartupTime { get; }

    private string DataDirectory => Path.Combine(_directory!, "data");

    /// <summary>Uses <see cref="EnvironmentVariable"/> if set, otherwise starts a private server.</summary>
    /// <exception cref="InvalidOperationException">The binaries are missing or the server did not start; the message says why.</exception>
    public static async Task<PrivatePostgres> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external)) return new PrivatePostgres(external, null, false, TimeSpan.Zero);

        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            if (!File.Exists(Path.Combine(BinDirectory, tool)))
                throw new InvalidOperationException(
                    $"PostgreSQL 15 server binaries not found: {Path.Combine(BinDirectory, tool)} is missing. " +
                    $"Install them (apt-get install postgresql-15) or set {EnvironmentVariable} to the connection string of a server to use.");
        }

        var stopwatch = Stopwatch.StartNew();
        var asServiceUser = IsRoot();
        // Under root the server runs as postgres, which must be able to reach the directory: TMPDIR may sit under /root.
        var parent = asServiceUser ? "/tmp" : Path.GetTempPath();
        var directory = Path.Combine(parent, "fedactors-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        try
        {
            var socketDir = Path.Combine(directory, "socket");
            Directory.CreateDirectory(socketDir);
            if (asServiceUser) await RunAsync(directory, false, "chown", "-R", $"{ServiceUser}:", directory);

            var data = Path.Combine(directory, "data");
            await RunAsync(directory, asServiceUser, Path.Combine(BinDirectory, "initdb"),
                "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions");

            // A port can be taken between probing and binding; try a few.
            Exception? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var port = FreePort();
                await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

                    listen_addresses = '127.0.0.1'
                    port = {port}
                    unix_socket_directories = '{socketDir}'
                    fsync = off
                    synchronous_commit = off
                    full_page_writes = off
                    shared_buffers = 32MB
                    max_connections = 100

                    """);
                try
                {
                    await RunAsync(directory, asServiceUser, Path.Combine(BinDirectory, "pg_ctl"),
                        "start", "-w", "-t", "60", "-D", data, "-l", Path.Combine(directory, "server.log"));
                }
                catch (InvalidOperationException e)
                {
                    last = e;
                    continue;
                }
                var connectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres",
                }.ToString();
                var server = new PrivatePostgres(connectionString, directory, asServiceUser, stopwatch.Elapsed);
                AppDomain.CurrentDomain.ProcessExit += server.OnProcessExit;
                return server;
            }
            throw new InvalidOperationException($"PostgreSQL did not start after 3 attempts; log: {ReadLog(directory)}", last);
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>
    /// A fresh database on the private server, or the external connection string unchanged (the caller
    /// keeps its data apart, e.g. with unique persistence ids).
    /// </summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (!IsPrivate) return ConnectionString;
        var name = "fedactors_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    /// <summary>Stops the private server (fast shutdown) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsPrivate || Interlocked.Exchange(ref _disposed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        // Pooled connections would otherwise be cut by the shutdown and fail their next use.
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(_directory!, _asServiceUser, Path.Combine(BinDirectory, "pg_ctl"), "stop", "-m", "fast", "-w", "-D", DataDirectory);
        }
        finally
        {
            TryDelete(_directory!);
        }
    }

    // A test host that dies without disposing must not leave a server running.
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            RunAsync(_directory!, _asServiceUser, Path.Combine(BinDirectory, "pg_ctl"), "stop", "-m", "immediate", "-D", DataDirectory)
                .Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException) { }
        TryDelete(_directory!);
    }

    private static async Task RunAsync(string workingDirectory, bool asServiceUser, string program, params string[] arguments)
    {
        // The working directory must be readable by the service user: initdb fails in an unreadable one.
        var info = new ProcessStartInfo(asServiceUser ? "runuser" : program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServiceUser)
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", program }) info.ArgumentList.Add(a);
        }
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["LC_ALL"] = "C";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Describe(info)} did not finish within {CommandTimeout.TotalSeconds} s");
        }
        if (process.ExitCode != 0)
        {
            var log = ReadLog(workingDirectory);
            throw new InvalidOperationException(
                $"{Describe(info)} exited with {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}" +
                (log.Length > 0 ? $"\nserver log:\n{log}" : ""));
        }
    }

    private static string Describe(ProcessStartInfo info) => string.Join(' ', info.ArgumentList.Prepend(info.FileName));

    private static string ReadLog(string directory)
    {
        var path = Path.Combine(directory, "server.log");
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : ""; }
        catch (IOException) { return ""; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Environment.UserName is the name of the effective user id on Unix.
    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One <see cref="PrivatePostgres"/> with one fresh database, shared by the tests of <see cref="PostgresCollection"/>.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PrivatePostgres? _server;

    /// <summary>The server.</summary>
    public PrivatePostgres Server => _server ?? throw new InvalidOperationException("the fixture is not initialized");

    /// <summary>Connection string of this fixture's database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _server = await PrivatePostgres.StartAsync();
        ConnectionString = await _server.CreateDatabaseAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>Tests in this collection share one <see cref="PostgresFixture"/> and do not run in parallel with each other.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection's name, for <c>[Collection(PostgresCollection.Name)]</c>.</summary>
    public const string Name = "Private PostgreSQL";
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FedActors.Host.Dashboard;

/// <summary>
/// Serves the dashboard: the page (<c>/</c>, one self-contained HTML file that draws with SVG, so it works without
/// internet), the current snapshot (<c>/api/snapshot</c>) and a server-sent event stream of snapshots
/// (<c>/events</c>), sent whenever the source changed, checked twice a second.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private readonly HttpListener _listener;
    private readonly IDashboardSource _source;
    private readonly byte[] _page;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private DashboardServer(HttpListener listener, IDashboardSource source, string url)
    {
        _listener = listener;
        _source = source;
        Url = url;
        _page = Page();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The page's address.</summary>
    public string Url { get; }

    /// <summary>Starts serving <paramref name="source"/> on <paramref name="bind"/>:<paramref name="port"/> (0: a free port).</summary>
    /// <exception cref="FedActorsException">The port cannot be listened on.</exception>
    public static DashboardServer Start(IDashboardSource source, string bind, int port)
    {
        // HttpListener cannot pick a port itself: ask the kernel for a free one, then take it (a few tries against a race).
        for (int attempt = 0; ; attempt++)
        {
            int chosen = port != 0 ? port : FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://{bind}:{chosen}/");
            try
            {
                listener.Start();
                var display = bind is "+" or "*" ? "localhost" : bind;
                return new DashboardServer(listener, source, $"http://{display}:{chosen}/");
            }
            catch (HttpListenerException e)
            {
                listener.Close();
                if (port == 0 && attempt < 5) continue;
                throw new FedActorsException($"cannot serve the dashboard on {bind}:{chosen} (fedactors.monitoring.dashboard-port): {e.Message}", e);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static byte[] Page()
    {
        using var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream("FedActors.Host.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/" or "/index.html":
                    await WriteAsync(response, "text/html; charset=utf-8", _page);
                    break;
                case "/api/snapshot":
                    await WriteAsync(response, "application/json", Encoding.UTF8.GetBytes(_source.Current().ToJson()));
                    break;
                case "/events":
                    await StreamAsync(response);
                    break;
                default:
                    response.StatusCode = 404;
                    await WriteAsync(response, "text/plain", "not found"u8.ToArray());
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The page went away or the server stops.
        }
        catch (Exception e) when (e is FedActorsException)
        {
            // A run directory's file is malformed: the page shows why.
            try
            {
                response.StatusCode = 500;
                await WriteAsync(response, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(e.Message));
            }
            catch (Exception inner) when (inner is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
        finally
        {
            try { response.Close(); } catch (ObjectDisposedException) { }
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, string type, byte[] body)
    {
        response.ContentType = type;
        response.Headers["Cache-Control"] = "no-store";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
    }

    private async Task StreamAsync(HttpListenerResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers["Cache-Control"] = "no-store";
        response.SendChunked = true;
        var output = response.OutputStream;
        long sent = -1;
        var quiet = DateTime.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            var snapshot = _source.Current();
            if (snapshot.Version != sent)
            {
                sent = snapshot.Version;
                await output.WriteAsync(Encoding.UTF8.GetBytes($"event: snapshot\ndata: {snapshot.ToJson()}\n\n"), _stop.Token);
                await output.FlushAsync(_stop.Token);
                quiet = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - quiet > KeepAlive)
            {
                // A comment line keeps proxies and the browser from closing an idle stream.
                await output.WriteAsync(": keep-alive\n\n"u8.ToArray(), _stop.Token);
                await output.FlushAsync(_stop.Token);
                quiet = DateTime.UtcNow;
            }
            await Task.Delay(Poll, _stop.Token);
        }
    }

    /// <summary>Sends the last snapshot to open pages once more, then stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        // One more poll so open pages see the final state before the streams close.
        try { await Task.Delay(Poll * 2); } catch (OperationCanceledException) { }
        _stop.Cancel();
        _listener.Close();
        try { await _accepting; } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        _stop.Dispose();
    }
}

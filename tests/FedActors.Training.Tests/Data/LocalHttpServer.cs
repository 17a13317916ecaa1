using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FedActors.Training.Tests.Data;

/// <summary>A real HTTP server on 127.0.0.1 (random free port) serving fixed files, for download tests.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly Task _loop;

    public LocalHttpServer(IReadOnlyDictionary<string, byte[]> files)
    {
        _files = files;
        (_listener, BaseUri) = Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; }

    /// <summary>Paths requested so far, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private static (HttpListener, Uri) Start()
    {
        for (int attempt = 0; ; attempt++)
        {
            // Ask the OS for a free port, then listen on it; retry if someone grabbed it in between.
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var uri = new Uri($"http://127.0.0.1:{port}/data/");
            var listener = new HttpListener();
            listener.Prefixes.Add(uri.ToString());
            try
            {
                listener.Start();
                return (listener, uri);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            string name = context.Request.Url!.AbsolutePath["/data/".Length..];
            Requests.Enqueue(name);
            if (_files.TryGetValue(name, out var bytes))
            {
                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

using Akka.Actor;
using Crawler.Http.Configuration;

namespace Crawler.Http.Pool;

/// <summary>
/// One crawl's door to the shared <see cref="HttpConnectionPool"/>: it forwards each <see cref="Http.Send"/> as a
/// <see cref="HttpConnectionPool.ClientSend"/> carrying the crawl's settings, so the reply goes straight back to the
/// sender. It lives as long as its crawl; when it stops, the pool closes the crawl's connections.
/// </summary>
public sealed class HttpPoolClient : UntypedActor
{
    private readonly IActorRef _pool;
    private readonly HttpClientSettings _settings;

    /// <summary>Creates the client; prefer <see cref="Props"/>.</summary>
    public HttpPoolClient(IActorRef pool, HttpClientSettings settings)
    {
        _pool = pool;
        _settings = settings;
    }

    /// <summary>Props for a client of <paramref name="pool"/> whose connections use <paramref name="settings"/>.</summary>
    public static Props Props(IActorRef pool, HttpClientSettings settings) => Akka.Actor.Props.Create<HttpPoolClient>(pool, settings);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is Http.Send send)
        {
            _pool.Tell(new HttpConnectionPool.ClientSend(send, Self, _settings), Sender);
        }
        else
        {
            Unhandled(message);
        }
    }
}

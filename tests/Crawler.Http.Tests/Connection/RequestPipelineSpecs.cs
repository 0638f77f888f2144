using Akka.Actor;
using Crawler.Http.Connection;

namespace Crawler.Http.Tests.Connection;

/// <summary>The order of one connection's requests: queued, in flight up to the depth, answered in order, requeued in
/// order when the socket closes, resent once after a reused socket closed without answering.</summary>
public sealed class RequestPipelineSpecs
{
    private static Http.Send Get(int n) => Http.Send.Get(n, new Uri($"http://a.test/{n}"));

    [Fact]
    public void Requests_should_go_in_flight_up_to_the_depth_in_the_order_they_came()
    {
        var pipeline = new RequestPipeline(depth: 2);
        foreach (var n in Enumerable.Range(1, 3))
        {
            pipeline.Accept(Get(n), ActorRefs.Nobody);
        }

        Assert.Equal([1L, 2L], pipeline.TakeWritable().Select(r => r.Send.RequestId));
        Assert.Empty(pipeline.TakeWritable());
        Assert.Equal((1, 2), (pipeline.Queued, pipeline.InFlight));
        pipeline.Answered(pipeline.Head!);
        Assert.Equal(1L, pipeline.CompleteHead().Send.RequestId);
        pipeline.Answered(pipeline.Head!);
        pipeline.CompleteHead();
        var third = Assert.Single(pipeline.TakeWritable());
        Assert.Equal((3L, 3), (third.Send.RequestId, third.IndexOnConnection)); // the third request on this socket
    }

    [Fact]
    public void Until_a_pipelined_request_is_answered_a_batch_should_go_only_when_nothing_is_in_flight_and_after_it_requests_should_join_the_flight()
    {
        var pipeline = new RequestPipeline(depth: 4);
        pipeline.Accept(Get(1), ActorRefs.Nobody);
        Assert.False(Assert.Single(pipeline.TakeWritable()).Pipelined);
        pipeline.Accept(Get(2), ActorRefs.Nobody);
        pipeline.Accept(Get(3), ActorRefs.Nobody);
        Assert.Empty(pipeline.TakeWritable()); // behind a request in flight: a server that drops pipelined requests would answer them in place of others

        pipeline.Answered(pipeline.CompleteHead()); // the first of its batch proves nothing
        var batch = pipeline.TakeWritable();
        Assert.Equal([2L, 3L], batch.Select(r => r.Send.RequestId));
        Assert.Equal([false, true], batch.Select(r => r.Pipelined));
        pipeline.Accept(Get(4), ActorRefs.Nobody);
        Assert.Empty(pipeline.TakeWritable());

        pipeline.Answered(pipeline.CompleteHead());
        Assert.Empty(pipeline.TakeWritable()); // request 3 is still in flight and nothing is proven yet
        pipeline.Answered(pipeline.CompleteHead()); // request 3 was written behind request 2 and answered: the server pipelines
        Assert.Single(pipeline.TakeWritable());
        pipeline.Accept(Get(5), ActorRefs.Nobody);
        Assert.True(Assert.Single(pipeline.TakeWritable()).Pipelined); // joins the flight of request 4
    }

    [Fact]
    public void A_closed_socket_should_put_its_unanswered_requests_first_in_their_order_and_count_positions_anew()
    {
        var pipeline = new RequestPipeline(depth: 8);
        foreach (var n in Enumerable.Range(1, 4))
        {
            pipeline.Accept(Get(n), ActorRefs.Nobody);
        }

        Assert.Equal(4, pipeline.TakeWritable()[3].IndexOnConnection);
        pipeline.CompleteHead();
        pipeline.Accept(Get(5), ActorRefs.Nobody);
        pipeline.Requeue();

        var again = pipeline.TakeWritable();
        Assert.Equal([2L, 3L, 4L, 5L], again.Select(r => r.Send.RequestId));
        Assert.Equal([1, 2, 3, 4], again.Select(r => r.IndexOnConnection)); // counted from 1 on the new socket
    }

    [Fact]
    public void Only_a_request_that_was_not_the_first_on_its_socket_should_be_resent_and_only_once()
    {
        var pipeline = new RequestPipeline(depth: 1);
        pipeline.Accept(Get(1), ActorRefs.Nobody);
        pipeline.TakeWritable();
        Assert.False(pipeline.MarkHeadForResend()); // the first request on a new socket: a real failure
        pipeline.CompleteHead();

        pipeline.Accept(Get(2), ActorRefs.Nobody);
        pipeline.TakeWritable();
        Assert.True(pipeline.MarkHeadForResend()); // the second, on a reused socket the server had closed
        pipeline.Requeue();
        pipeline.TakeWritable();
        pipeline.Requeue();
        pipeline.Accept(Get(3), ActorRefs.Nobody);
        pipeline.TakeWritable();
        Assert.Equal(2L, pipeline.Head!.Send.RequestId);
        Assert.False(pipeline.MarkHeadForResend()); // already resent once
    }

    [Fact]
    public void A_request_should_be_taken_out_wherever_it_is()
    {
        var pipeline = new RequestPipeline(depth: 1);
        var first = pipeline.Accept(Get(1), ActorRefs.Nobody);
        var second = pipeline.Accept(Get(2), ActorRefs.Nobody);
        pipeline.TakeWritable();
        Assert.Same(second, pipeline.Remove(second.Sequence, out var inFlight));
        Assert.False(inFlight);
        Assert.Same(first, pipeline.Remove(first.Sequence, out inFlight));
        Assert.True(inFlight);
        Assert.Null(pipeline.Remove(first.Sequence, out _));
        Assert.True(pipeline.IsEmpty);
    }
}

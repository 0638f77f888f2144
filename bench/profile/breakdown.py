#!/usr/bin/env python3
"""CPU breakdown of a crawl from a dotnet-trace sampled-thread-time trace converted to Speedscope.

    dotnet-trace collect --profile dotnet-sampled-thread-time -o run.nettrace -- CRAWLER ARGS
    dotnet-trace convert --format Speedscope -o run run.nettrace      # writes run.speedscope.json
    python3 bench/profile/breakdown.py run.speedscope.json [REQUESTS [--cpu SECONDS]] [--top N] [--callers FRAME]

EventPipe samples every managed thread about every millisecond, running or not. A sample whose innermost method is
a wait (a thread-pool thread parked, a blocking socket poll, a thread suspended for a GC) is idle and dropped; the
rest is attributed to the first component (in the order below) that any frame of its stack belongs to. With
REQUESTS, each component is also given in microseconds of CPU per request.
"""
import json
import sys
from collections import Counter

# Innermost frames of a thread that is not running managed code of ours.
IDLE = ("LowLevelLifoSemaphore.WaitNative", "WaitHandle.WaitOneNoCheck", "Monitor.Wait(", "Thread.Sleep",
        "SocketAsyncEngine.EventLoop", "Interop+Sys.WaitForSocketEvents", "PollGCWorker", "WaitForSignal",
        "LowLevelSpinWaiter.Wait", "Thread.SpinWait", "Thread.Yield", "Console.ReadLine", "Task.SpinThenBlockingWait",
        "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait", "TimerQueue.TimerThread", "WaitSubsystem")

# The converter's pseudo-frames under the innermost method: managed code running, or native code (a system call,
# the runtime, or a native wait).
PSEUDO = ("CPU_TIME", "UNMANAGED_CODE_TIME")  # and "?!?", a native frame without a symbol

# (component, substrings of a frame). The first component with a frame anywhere in the stack wins, so the most
# specific come first.
COMPONENTS = [
    ("start-up: HOCON, configuration", ("Hocon.", "Akka.Configuration.", "Crawler.Core.Configuration.", "Crawler.Http.Configuration.")),
    ("start-up: ActorSystem, serializers, extensions", ("ActorSystem.Create", "ActorSystemImpl.Start", "Akka.Serialization.", "ExtensionIdProvider")),
    ("HTML: AngleSharp parse and select", ("AngleSharp",)),
    ("extraction (ours, around AngleSharp)", ("Crawler.Core.Extraction.",)),
    ("HTTP parse and response building", ("Crawler.Http.Parsing.", "ResponseBuilder", "ResponseReader", "Crawler.Http.Decoding.")),
    ("HTTP connection actor (ours)", ("Crawler.Http.Connection.", "Crawler.Http.Writing.")),
    ("host owners, registry, ledger", ("Crawler.Core.Hosts.", "Crawler.Http.Pool.", "Crawler.Core.Politeness.")),
    ("output: printer, formatting, stdout", ("Crawler.Core.Output.", "Crawler.StandardStreams", "Crawler.GuardedWriter", "System.IO.Stream", "ConsoleStream")),
    ("fetchers and coordinator (ours)", ("Crawler.Core.Fetching.", "Crawler.Core.Coordination.", "Crawler.Core.Embedding.")),
    ("Akka.IO TCP and DNS actors", ("Akka.IO.",)),
    ("sockets and syscalls", ("System.Net.Sockets", "Interop+Sys", "System.Net.Dns")),
    ("actor creation and stop", ("ActorCell.Create", "ActorCell.Init", "ActorOf", "Props.", "ActivatorProducer", "ActorCell.Terminate",
                                 "ActorCell.FinishTerminate", "ChildrenContainer", "DeathWatch", "RemWatcher", "AddWatcher", "ActorCell.Stop")),
    ("message dispatch (mailboxes, Tell)", ("Akka.Dispatch.", "Akka.Actor.ActorCell.Invoke", "Akka.Actor.ActorCell.SendMessage",
                                            "ActorRefImplicitSenderExtensions", "LocalActorRef", "Mailbox", "Akka.Actor.ActorBase")),
    ("timers and scheduler", ("Akka.Actor.HashedWheelTimerScheduler", "Akka.Actor.Scheduler", "TimerScheduler", "System.Threading.TimerQueue")),
    ("logging", ("Akka.Event.", "Serilog")),
    ("reflection, JIT, dynamic code", ("System.Reflection", "System.Linq.Expressions", "DynamicResolver", "RuntimeType", "JIT")),
    ("GC and allocation (on managed threads)", ("GC.", "AllocateUninitializedArray", "Allocate")),
    ("thread pool and tasks", ("System.Threading.",)),
]


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = json.load(open(argv[1]))
    requests = int(argv[2]) if len(argv) > 2 and argv[2].isdigit() else None
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 0
    cpu = float(argv[argv.index("--cpu") + 1]) if "--cpu" in argv else None
    callers = argv[argv.index("--callers") + 1] if "--callers" in argv else None
    frames = [f["name"] for f in data["shared"]["frames"]]
    paths = Counter()
    busy = Counter()
    leaves = Counter()
    idle = 0.0
    for profile in data["profiles"]:
        stack = []
        last = None
        for event in profile["events"]:
            at = event["at"]
            if last is not None and stack and at > last:
                span = at - last
                real = [i for i in stack if frames[i] not in PSEUDO and frames[i] != "?!?"]
                leaf = frames[real[-1]] if real else frames[stack[-1]]
                if any(marker in leaf for marker in IDLE):
                    idle += span
                else:
                    names = [frames[i].split("(", 1)[0] for i in stack]  # the method, not its parameter types
                    component = next((name for name, marks in COMPONENTS
                                      if any(m in frame for frame in names for m in marks)), "other")
                    busy[component] += span
                    if callers and any(callers in frame for frame in names):
                        hit = next(i for i, frame in enumerate(names) if callers in frame)
                        paths[" < ".join(short(frame) for frame in reversed(names[max(0, hit - 6):hit + 1]))] += span
                    leaves[leaf] += span
            last = at
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
    total = sum(busy.values())
    print(f"busy {total / 1000:.2f} s of sampled thread time (idle {idle / 1000:.2f} s dropped)")
    header = f"{'component':48} {'ms':>8} {'share':>6}" + (f" {'CPU us/request' if cpu else 'us/request':>14}" if requests else "")
    print(header)
    for name, ms in busy.most_common():
        line = f"{name:48} {ms:8.0f} {100 * ms / total:5.1f}%"
        if requests:
            # Sampled thread time counts a thread that is runnable but waits for a core as busy: with the process's
            # CPU seconds (--cpu, from /usr/bin/time), each share is scaled to real CPU time.
            scale = cpu * 1000 / total if cpu else 1.0
            line += f" {1000 * ms * scale / requests:10.1f}"
        print(line)
    if top:
        print(f"\ntop {top} innermost frames (busy samples)")
        for leaf, ms in leaves.most_common(top):
            print(f"{ms:8.0f} ms  {leaf[:140]}")
    if callers:
        print(f"\nstacks through '{callers}' (6 callers up)")
        for path, ms in paths.most_common(15):
            print(f"{ms:8.0f} ms  {path}")
    return 0


def short(frame):
    name = frame.split("!", 1)[-1].split("(", 1)[0]
    return ".".join(name.split(".")[-2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))

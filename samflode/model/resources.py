"""A first-in first-out pool of identical servers, the primitive behind staff and caseload slots.

Written for the hot path instead of :class:`simpy.Resource`: a free server is taken without
scheduling any event, and only a claimant who must wait costs one SimPy event. Profiling the tandem
benchmark showed ``Resource``'s request and release objects at about a fifth of run time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator

import simpy


class Servers:
    """``capacity`` identical servers with one first-in first-out queue.

    :meth:`seize` returns None when a server was free (it is now taken) or an event that
    succeeds when a server is handed over; :meth:`release` hands the server to the longest
    waiting claimant, or frees it. Invariant: servers are free only when nobody waits.
    """

    __slots__ = ("env", "free", "waiting")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.free = capacity
        self.waiting: deque[simpy.Event] = deque()

    def seize(self) -> simpy.Event | None:
        """Take a server now (None) or join the queue (the event to wait for)."""
        if self.free:
            self.free -= 1
            return None
        event = self.env.event()
        self.waiting.append(event)
        return event

    def release(self) -> None:
        """Give a server back: to the first in the queue, or to the free count."""
        if self.waiting:
            self.waiting.popleft().succeed()
        else:
            self.free += 1

    def seize_first(self) -> simpy.Event | None:
        """Like :meth:`seize`, but ahead of everyone waiting (a post falling vacant takes the
        next server that frees, not the one after the queue).
        """
        if self.free:
            self.free -= 1
            return None
        event = self.env.event()
        self.waiting.appendleft(event)
        return event

    def withdraw(self, event: simpy.Event | None) -> None:
        """Undo a :meth:`seize` whose claimant gave up: leave the queue, or give back the
        server if it had already been handed over.
        """
        if event is None or event.triggered:
            self.release()
        else:
            self.waiting.remove(event)


def wait_patiently(
    env: simpy.Environment, event: simpy.Event, patience: float | None
) -> Generator[simpy.Event, object, bool]:
    """Wait for ``event``, at most ``patience`` days (None: for ever); True if it happened."""
    if patience is None:
        yield event
        return True
    yield event | env.timeout(patience)
    return event.triggered


class Officers:
    """A pool's people as individuals: ``capacity`` numbered posts, one first-in first-out queue.

    A claim asks for any free post (``eligible`` None: the anonymous :class:`Servers` behaviour,
    and its fast path) or for one of a set of posts (a case's fixed pair, its team, its area).
    :meth:`seize` returns the post taken at once, or an event whose value is the post handed
    over; :meth:`release` gives a post to the longest-waiting claim it is eligible for. Free posts
    are handed out longest-idle first, so "any free officer" spreads cases over the pool as a
    shared booking calendar does.

    Invariant: a post is free only if no waiting claim is eligible for it; in particular, with
    anonymous claims only, posts are free only when nobody waits (as :class:`Servers`).
    """

    __slots__ = ("env", "free", "waiting")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.free: deque[int] = deque(range(capacity))
        self.waiting: deque[tuple[simpy.Event, frozenset[int] | Seat | None]] = deque()

    def seize(
        self, eligible: frozenset[int] | Seat | None = None, prefer: set[int] | None = None
    ) -> int | simpy.Event:
        """Take a post now (its number) or join the queue (the event to wait for).

        ``prefer``: posts to take first if one of them is free (an officer the participant
        already knows); otherwise any free eligible post, or the queue.
        """
        free = self.free
        if free:
            if prefer:
                for post in free:
                    if post in prefer and (eligible is None or post in eligible):
                        free.remove(post)
                        return post
            if eligible is None:
                return free.popleft()
            for post in free:
                if post in eligible:
                    free.remove(post)
                    return post
        event = self.env.event()
        self.waiting.append((event, eligible))
        return event

    def release(self, post: int) -> None:
        """Give ``post`` back: to the first waiting claim eligible for it, or to the free posts."""
        waiting = self.waiting
        if waiting:
            if waiting[0][1] is None or post in waiting[0][1]:
                waiting.popleft()[0].succeed(post)
                return
            for i, (event, eligible) in enumerate(waiting):
                if eligible is None or post in eligible:
                    del waiting[i]
                    event.succeed(post)
                    return
        self.free.append(post)

    def seize_first(self, eligible: frozenset[int] | Seat | None = None) -> int | simpy.Event:
        """Like :meth:`seize`, but ahead of everyone waiting (a post falling vacant takes the
        next eligible post that frees, not the one after the queue).
        """
        got = self.seize(eligible)
        if isinstance(got, int):
            return got
        self.waiting.remove((got, eligible))
        self.waiting.appendleft((got, eligible))
        return got

    def retry(self) -> None:
        """Serve waiting claims that a change of their eligible posts (a case handed to another
        officer, :class:`Seat`) made eligible for a free post, oldest first.
        """
        free = self.free
        i = 0
        while free and i < len(self.waiting):
            event, eligible = self.waiting[i]
            post = next((p for p in free if eligible is None or p in eligible), None)
            if post is None:
                i += 1
                continue
            free.remove(post)
            del self.waiting[i]
            event.succeed(post)

    def withdraw(self, claim: int | simpy.Event) -> None:
        """Undo a :meth:`seize` whose claimant gave up: leave the queue, or give back the post
        if it had already been handed over.
        """
        if isinstance(claim, int):
            self.release(claim)
        elif claim.triggered:
            self.release(claim.value)
        else:
            for i, (event, _) in enumerate(self.waiting):
                if event is claim:
                    del self.waiting[i]
                    return


class Seat:
    """The posts of one pool that may serve one case, changeable while a claim waits.

    A case held by one officer who then leaves is handed to a colleague by changing ``posts``:
    a claim already waiting for the leaver becomes a claim for the colleague (then
    :meth:`Officers.retry`), instead of waiting out the vacancy.
    """

    __slots__ = ("posts",)

    def __init__(self, posts: frozenset[int]) -> None:
        self.posts = posts

    def __contains__(self, post: int) -> bool:
        return post in self.posts

    def __len__(self) -> int:
        return len(self.posts)

    def __iter__(self):  # noqa: ANN204 - Iterator[int]
        return iter(self.posts)


def post_of(claim: int | simpy.Event) -> int:
    """The post a claim holds once it has been served."""
    return claim if isinstance(claim, int) else claim.value

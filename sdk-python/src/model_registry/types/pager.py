"""Iteration over paged list requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from .enums import OrderByField
from .options import ListOptions

T = TypeVar("T", bound=BaseModel)


@dataclass
class Pager(Generic[T], Iterator[T]):
    """Iterates over every item of a list, fetching one page per request.

    `page_fn(options)` fetches the page `options` describe and stores the response's
    `nextPageToken` in `options.next_page_token`. Iteration stops after the page whose token
    is empty (the last one); a token that comes round to the first page's again also ends it,
    for servers that treat lists as a circular buffer. The builder methods reset the pager.
    """

    page_fn: Callable[[ListOptions], list[T]]
    options: ListOptions = field(default_factory=ListOptions)

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> Pager[T]:
        """Start again from the first page, keeping the options."""
        self._first_token: str | None = None
        self._page: list[T] | None = None
        self._i = 0
        self._done = False
        self.options.next_page_token = None
        return self

    def order_by_creation_time(self) -> Pager[T]:
        """Order items by creation time."""
        self.options.order_by = OrderByField.CREATE_TIME
        return self.restart()

    def order_by_update_time(self) -> Pager[T]:
        """Order items by last update time."""
        self.options.order_by = OrderByField.LAST_UPDATE_TIME
        return self.restart()

    def order_by_id(self) -> Pager[T]:
        """Order items by ID."""
        self.options.order_by = OrderByField.ID
        return self.restart()

    def page_size(self, n: int) -> Pager[T]:
        """Fetch n items per request."""
        if n < 1:
            msg = f"Page size must be at least 1, got {n}"
            raise ValueError(msg)
        self.options.limit = n
        return self.restart()

    def limit(self, n: int) -> Pager[T]:
        """Same as page_size (the option's upstream name)."""
        return self.page_size(n)

    def ascending(self) -> Pager[T]:
        """Order items in ascending order."""
        self.options.is_asc = True
        return self.restart()

    def descending(self) -> Pager[T]:
        """Order items in descending order."""
        self.options.is_asc = False
        return self.restart()

    def next_page(self) -> list[T]:
        """Fetch the page the current token points at and advance the token.

        After the last page the token is empty, so the next call starts over.
        """
        return self.page_fn(self.options)

    def next_item(self) -> T:
        """The next item, going round to the first page after the last (no end check)."""
        if self._page is None or self._i >= len(self._page):
            self._page, self._i = self.next_page(), 0
        if not self._page:
            raise StopIteration
        item = self._page[self._i]
        self._i += 1
        return item

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        if self._page is None:
            self._page, self._i = self.next_page(), 0
            self._first_token = self.options.next_page_token
        while self._i >= len(self._page):
            token = self.options.next_page_token
            if not token:
                return self._stop()
            self._page, self._i = self.next_page(), 0
            if self.options.next_page_token == self._first_token:
                return self._stop()  # came round to the first page
        item = self._page[self._i]
        self._i += 1
        return item

    def _stop(self) -> T:
        self._done = True
        raise StopIteration

    def __iter__(self) -> Iterator[T]:
        return self

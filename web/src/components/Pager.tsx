interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  onOffsetChange: (offset: number) => void;
  testId: string;
}

/** "51–100 of 342" with previous/next; pages are offsets into a server-side list. */
export function Pager({ offset, limit, total, onOffsetChange, testId }: PagerProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <div className="pager" data-testid={testId}>
      <button type="button" disabled={offset === 0} onClick={() => onOffsetChange(Math.max(0, offset - limit))}>
        ‹ Prev
      </button>
      <span data-testid={`${testId}-range`}>
        {first}–{last} of {total}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onOffsetChange(offset + limit)}>
        Next ›
      </button>
    </div>
  );
}

import * as assert from 'assert';
import { detectDateStyle, formatDate, formatDateParts, isValidDateText, repairDateText } from '../../../src/core/frontmatter/dates';

describe('dates', () => {
  it('detects the style a date is written in', () => {
    assert.strictEqual(detectDateStyle('2023-05-08'), 'date');
    assert.strictEqual(detectDateStyle('2023-05-08 10:15:00'), 'datetime-space');
    assert.strictEqual(detectDateStyle('2023-05-08T10:15:00'), 'datetime-local');
    assert.strictEqual(detectDateStyle('2023-05-08T10:15:00Z'), 'datetime-utc');
    assert.strictEqual(detectDateStyle('2023-05-08T10:15:00-05:00'), 'datetime-offset');
    assert.strictEqual(detectDateStyle('2023-05-32'), undefined);
  });

  it('knows leap years', () => {
    assert.ok(isValidDateText('2024-02-29'));
    assert.ok(!isValidDateText('2023-02-29'));
  });

  it('formats a moment in every style', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.strictEqual(formatDate(d, 'datetime-utc'), '2024-01-02T03:04:05Z');
    for (const style of ['date', 'datetime-space', 'datetime-local', 'datetime-utc', 'datetime-offset'] as const) {
      const text = formatDate(d, style);
      assert.strictEqual(detectDateStyle(text), style, text);
    }
  });

  it('converts offsets to UTC for the UTC style', () => {
    assert.strictEqual(
      formatDateParts({ year: 2024, month: 1, day: 1, hour: 1, minute: 0, second: 0, offsetMinutes: 120, hasTime: true }, 'datetime-utc'),
      '2023-12-31T23:00:00Z',
    );
  });

  it('repairs what people write and refuses what is not a date', () => {
    assert.deepStrictEqual(repairDateText('March 9th, 2024')?.day, 9);
    assert.strictEqual(repairDateText('2024/02/30'), undefined);
    assert.strictEqual(repairDateText('soon'), undefined);
    assert.strictEqual(repairDateText('20240309')?.month, 3);
    assert.strictEqual(repairDateText('2024-03-09 12:30 pm')?.hour, 12);
  });
});

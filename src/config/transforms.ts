import { Transform } from 'class-transformer';

/** Environment strings to integers; anything that is not a plain integer becomes NaN and fails @IsInt. */
export const ToInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value === undefined ? undefined : Number.NaN));

/** Comma-separated lists, blanks dropped. */
export const ToList = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );

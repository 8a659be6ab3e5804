import { Transform } from 'class-transformer';

/** Environment strings to integers; anything that is not a plain integer becomes NaN and fails @IsInt. */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value === undefined ? undefined : Number.NaN,
  );

/** Comma-separated lists, blanks dropped. */
export const ToList = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );

/** `true` / `false` (any case); anything else stays a string and fails @IsBoolean. */
export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) => {
    const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
    return text === 'true' ? true : text === 'false' ? false : value;
  });

package io.switchboard.launcher.tools;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A point in time on the command line: an ISO-8601 instant ({@code 2026-11-25T10:00:00Z}), a local date-time or date
 * taken as UTC ({@code 2026-11-25T10:00}, {@code 2026-11-25}), epoch milliseconds, or an age ({@code 15m}, {@code 2h},
 * {@code 3d}, {@code PT90S}) meaning that long before now.
 */
final class TimeArg implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        return parse(value, Instant.now());
    }

    static Instant parse(String value, Instant now) {
        String v = value.trim();
        try {
            if (v.matches("\\d{10,}")) {
                return Instant.ofEpochMilli(Long.parseLong(v));
            }
            if (v.matches("\\d+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                Duration age = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return now.minus(age);
            }
            if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
                return now.minus(Duration.parse(v));
            }
            if (v.endsWith("Z") || v.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(v).toInstant();
            }
            if (v.contains("T")) {
                return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
            }
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            // DateTimeException: unparsable, or an age reaching before Instant.MIN; ArithmeticException: an age
            // whose seconds overflow a long (99999999999999999d)
            throw new TypeConversionException("'" + value + "' is not a time: use 2026-11-25T10:00:00Z, "
                    + "2026-11-25T10:00 (UTC), epoch millis, or an age such as 15m, 2h, 3d");
        }
    }
}

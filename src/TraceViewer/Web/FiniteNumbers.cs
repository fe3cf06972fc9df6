using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TraceViewer.Web;

/// <summary>
/// JSON has no Infinity or NaN: System.Text.Json throws on them mid-response, which leaves a truncated body. A number
/// that is not finite is "not defined" (docs/decisions/0008) and is written as null, wherever it comes from.
/// </summary>
internal static class FiniteNumbers
{
    /// <summary>The web defaults plus the null-for-non-finite converters; for JSON the app writes outside the HTTP pipeline (embedded chart data).</summary>
    public static JsonSerializerOptions Web { get; } = AddTo(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions AddTo(JsonSerializerOptions options)
    {
        options.Converters.Add(new DoubleConverter());
        options.Converters.Add(new SingleConverter());
        return options;
    }

    /// <summary>
    /// The converters hide the number type from the OpenAPI document; this puts it back: a JSON number, or null where
    /// a value was not defined.
    /// </summary>
    public static OpenApiOptions DescribeNumbers(this OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(double) || type == typeof(float))
        {
            schema.Type = JsonSchemaType.Number | JsonSchemaType.Null;
            schema.Format = type == typeof(double) ? "double" : "float";
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    });

    /// <summary>The value when finite, else null: for values read from a database before they reach a view.</summary>
    public static double? OrNull(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>Reads as the serializer would (numbers, and numeric strings when the options allow them), finite values only.</summary>
    private static double ReadNumber(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && options.NumberHandling.HasFlag(JsonNumberHandling.AllowReadingFromString))
        {
            return double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)
                ? parsed
                : throw new JsonException("Expected a finite number.");
        }

        return reader.GetDouble();
    }

    private sealed class DoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadNumber(ref reader, options);

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class SingleConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (float)ReadNumber(ref reader, options);

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}

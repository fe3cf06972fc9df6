using System.Reflection;
using System.Reflection.Emit;

namespace TraceViewer.Tests.Architecture;

/// <summary>
/// The types each type of an assembly refers to: its base type and interfaces, the types of its fields, properties,
/// method and constructor signatures, its attributes' types, and every type, method and field named in its method
/// bodies (read from the IL), generic arguments included. Compiler-made types (lambdas, async state machines) are nested
/// in the type they came from and count as part of it.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Pairs (from, to) of the types in <paramref name="assembly"/> whose namespace starts with <paramref name="prefix"/>.</summary>
    public static IEnumerable<(Type From, Type To)> Of(Assembly assembly, string prefix)
    {
        foreach (var type in assembly.GetTypes().Where(t => Outermost(t).Namespace?.StartsWith(prefix, StringComparison.Ordinal) == true))
        {
            foreach (var target in Referenced(type).SelectMany(Unwrap).Where(t => t.Assembly == assembly).Distinct())
            {
                yield return (Outermost(type), Outermost(target));
            }
        }
    }

    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Unwrap(type.GetElementType()!))
            {
                yield return t;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        if (type.IsGenericType)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var t in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return t;
            }

            yield break;
        }

        yield return type;
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }

        foreach (var a in type.CustomAttributes)
        {
            yield return a.AttributeType;
        }

        foreach (var f in type.GetFields(Everything))
        {
            yield return f.FieldType;
        }

        foreach (var p in type.GetProperties(Everything))
        {
            yield return p.PropertyType;
        }

        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var p in method.GetParameters())
            {
                yield return p.ParameterType;
            }

            foreach (var t in InBody(method))
            {
                yield return t;
            }
        }
    }

    /// <summary>The types named by the tokens of a method's IL: the types themselves, and the declaring types of methods and fields.</summary>
    private static IEnumerable<Type> InBody(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException)
        {
            il = null;
        }

        if (il is null)
        {
            yield break;
        }

        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at++]);
            }

            var opCode = OpCodesByValue[value];
            var size = OperandSize(opCode.OperandType, il, at);
            if (opCode.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField)
            {
                var token = BitConverter.ToInt32(il, at);
                MemberInfo? member;
                try
                {
                    member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                    member = null;
                }

                switch (member)
                {
                    case Type t:
                        yield return t;
                        break;
                    case MethodBase m:
                        if (m.DeclaringType is { } declaring)
                        {
                            yield return declaring;
                        }

                        if (m is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (var arg in generic.GetGenericArguments())
                            {
                                yield return arg;
                            }
                        }

                        break;
                    case FieldInfo f:
                        if (f.DeclaringType is { } owner)
                        {
                            yield return owner;
                        }

                        yield return f.FieldType;
                        break;
                }
            }

            at += size;
        }
    }

    private static int OperandSize(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}

package io.sandboxrun.core.policy;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Reads and replaces record components by position, so that one schema can walk and rebuild the
 * policy records without a hand-written copy method per field.
 */
final class Records {
    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return new Shape(type);
        }
    };

    /** The components of record {@code type}, in declaration order. */
    static RecordComponent[] components(Class<?> type) {
        return SHAPES.get(type).components.clone();
    }

    /** The index of component {@code name} of {@code type}. */
    static int index(Class<?> type, String name) {
        RecordComponent[] cs = SHAPES.get(type).components;
        for (int i = 0; i < cs.length; i++) {
            if (cs[i].getName().equals(name)) return i;
        }
        throw new IllegalArgumentException(type.getSimpleName() + " has no component " + name);
    }

    /** Component {@code index} of {@code record}. */
    static Object get(Record record, int index) {
        try {
            return SHAPES.get(record.getClass()).accessors[index].invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read component " + index + " of " + record.getClass(), e);
        }
    }

    /** {@code record} with component {@code index} replaced by {@code value}. */
    static <R extends Record> R with(R record, int index, Object value) {
        Shape shape = SHAPES.get(record.getClass());
        Object[] args = new Object[shape.components.length];
        for (int i = 0; i < args.length; i++) args[i] = i == index ? value : get(record, i);
        return shape.create(args);
    }

    /** {@code record} with component {@code name} replaced by {@code value}. */
    static <R extends Record> R with(R record, String name, Object value) {
        return with(record, index(record.getClass(), name), value);
    }

    /** A {@code type} with every component null. */
    static <R> R empty(Class<R> type) {
        Shape shape = SHAPES.get(type);
        return shape.create(new Object[shape.components.length]);
    }

    /** A {@code type} made of {@code args}, in component order. */
    static <R> R create(Class<R> type, Object[] args) {
        return SHAPES.get(type).create(args);
    }

    private static final class Shape {
        final RecordComponent[] components;
        final Method[] accessors;
        final Constructor<?> constructor;

        Shape(Class<?> type) {
            if (!type.isRecord()) throw new IllegalArgumentException(type + " is not a record");
            components = type.getRecordComponents();
            accessors = Arrays.stream(components).map(RecordComponent::getAccessor).toArray(Method[]::new);
            try {
                constructor = type.getDeclaredConstructor(
                        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("no canonical constructor in " + type, e);
            }
        }

        @SuppressWarnings("unchecked")
        <R> R create(Object[] args) {
            try {
                return (R) constructor.newInstance(args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException("cannot make " + constructor.getDeclaringClass(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot make " + constructor.getDeclaringClass(), e);
            }
        }
    }

    private Records() {}
}

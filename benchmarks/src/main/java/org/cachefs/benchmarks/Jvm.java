package org.cachefs.benchmarks;

/**
 * The JVM flags every forked benchmark JVM needs (Agrona and Chronicle reach JDK internals), as constants for
 * {@code @Fork(jvmArgsAppend = ...)}. JDK 24 and later also need {@code --enable-native-access=ALL-UNNAMED
 * --sun-misc-unsafe-memory-access=allow}; the {@code run} script passes them there with {@code -jvmArgsAppend}.
 */
public final class Jvm
{
    public static final String EXPORTS_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    public static final String EXPORTS_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    public static final String EXPORTS_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String OPENS_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";

    private Jvm()
    {
    }
}

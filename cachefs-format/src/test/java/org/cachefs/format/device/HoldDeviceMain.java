package org.cachefs.format.device;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.cachefs.format.DeviceInUseException;

/**
 * Run in a child JVM by the tests: opens the device named by the first argument (read-only if the second is
 * "read"), prints "ready SIZE", and holds it until its standard input ends or a line arrives. If the device is in
 * use it prints "in use: MESSAGE" and exits.
 */
public final class HoldDeviceMain
{
    private HoldDeviceMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path path = Path.of(args[0]);
        final boolean readOnly = args.length > 1 && args[1].equals("read");
        try (DirectBlockDevice device = readOnly ? DirectBlockDevice.openReadOnly(path) : DirectBlockDevice.open(path))
        {
            System.out.println("ready " + device.size());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        catch (final DeviceInUseException ex)
        {
            System.out.println("in use: " + ex.getMessage());
            System.out.flush();
        }
    }
}

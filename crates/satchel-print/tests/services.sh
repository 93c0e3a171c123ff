#!/bin/bash
# The printing part of toolchain.md §4.6, unchanged but for the missing-package checks done by
# the Rust fixture before it runs this: system D-Bus + avahi (only because ippeveprinter refuses
# to start without DNS-SD), the system cupsd with a cups-pdf queue "PDF", and an ippeveprinter
# on :8631 whose -c hook copies every received document to $WORK/ipp-received, behind a CUPS
# queue "IPPEVE". Idempotent: services already running are reused. Runs as root, no systemd.
set -euo pipefail
WORK=${WORK:-/tmp/satchel-ci}; mkdir -p "$WORK"
if ! dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId >/dev/null 2>&1; then
  mkdir -p /run/dbus; rm -f /run/dbus/pid /run/dbus/system_bus_socket; dbus-daemon --system --fork
fi
avahi-daemon --check 2>/dev/null || avahi-daemon --daemonize --no-drop-root --no-chroot
sed -i "s|^#\?Out .*|Out $WORK/cups-pdf/\${USER}|" /etc/cups/cups-pdf.conf
lpstat -r 2>/dev/null | grep -q "is running" || /usr/sbin/cupsd        # forks into background
for i in $(seq 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
lpadmin -p PDF -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null
mkdir -p "$WORK/ipp-spool" "$WORK/ipp-received"
cat > "$WORK/ipp-capture.sh" <<EOS
#!/bin/sh
cp "\$1" "$WORK/ipp-received/"
env | grep -E '^IPP_' | sort > "$WORK/ipp-received/\$(basename "\$1").env"
EOS
chmod +x "$WORK/ipp-capture.sh"
if ! ipptool -q ipp://localhost:8631/ipp/print get-printer-attributes.test 2>/dev/null; then
  nohup ippeveprinter -p 8631 -n localhost -d "$WORK/ipp-spool" -c "$WORK/ipp-capture.sh" \
     -f application/pdf,image/pwg-raster,application/octet-stream "CI-IPP" > "$WORK/ippeveprinter.log" 2>&1 &
  for i in $(seq 50); do ipptool -q ipp://localhost:8631/ipp/print get-printer-attributes.test 2>/dev/null && break; sleep 0.1; done
fi
lpadmin -p IPPEVE -E -v ipp://localhost:8631/ipp/print -m everywhere

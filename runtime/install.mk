# install.mk - what `make install` adds beyond automake's copying.
# The installed stardag must find libstardag. libtool sets an rpath when libdir is not a directory
# the dynamic linker searches; when it is one (/usr/local/lib, /usr/lib/...), the linker's cache
# must learn the new library: run ldconfig, as root installing for real (no DESTDIR staging).
# Uninstalling drops the library from the cache the same way.
sd_ldconfig = if test -z "$(DESTDIR)" && test "`id -u`" = 0 && command -v ldconfig >/dev/null 2>&1 && \
	ldconfig -vNX 2>/dev/null | grep -q "^$(libdir):"; then echo "ldconfig ($(libdir))"; ldconfig; fi
install-exec-hook:
	@$(sd_ldconfig)
uninstall-hook:
	@$(sd_ldconfig)

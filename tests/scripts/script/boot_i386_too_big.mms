boot arch=i386 mem=4G

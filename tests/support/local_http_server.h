// An HTTP/1.1 file server on 127.0.0.1 for download tests: Range requests, a request log, cut-off connections.
#pragma once

#include <QHostAddress>
#include <QMap>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>

namespace ffint8::testing {

class LocalHttpServer : public QObject
{
public:
    struct Request
    {
        QString path;
        QString range; // the Range header, empty when none
    };

    LocalHttpServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort()); }

    // Serves `bytes` at /name.
    void setFile(const QString &name, const QByteArray &bytes) { m_files[name] = bytes; }
    // The next response for /name sends its headers (with the full length) and the body up to byte
    // `at` of the file, then closes the connection: a download cut off mid-file. Once only.
    void cutOnce(const QString &name, qint64 at) { m_cuts[name] = at; }

    // The next request for /name gets no answer at all: a server that stalls. Once only.
    void stallOnce(const QString &name) { m_stalls.insert(name); }

    const QList<Request> &requests() const { return m_requests; }
    void clearRequests() { m_requests.clear(); }

private:
    void readRequest(QTcpSocket *socket)
    {
        QByteArray &buffer = m_pending[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        m_pending.remove(socket);
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        Request request;
        request.path = QString::fromLatin1(first.value(1)).mid(1);
        for (const QByteArray &line : lines.mid(1)) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == "range")
                request.range = QString::fromLatin1(line.mid(colon + 1).trimmed());
        }
        m_requests << request;
        if (m_stalls.remove(request.path))
            return;
        respond(socket, request);
    }

    void respond(QTcpSocket *socket, const Request &request)
    {
        if (!m_files.contains(request.path)) {
            socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
            socket->disconnectFromHost();
            return;
        }
        const QByteArray &file = m_files[request.path];
        qint64 from = 0;
        if (request.range.startsWith("bytes=") && request.range.endsWith('-'))
            from = request.range.mid(6, request.range.size() - 7).toLongLong();
        QByteArray head;
        if (from >= file.size() && from > 0) {
            head = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + QByteArray::number(file.size())
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            socket->write(head);
            socket->disconnectFromHost();
            return;
        }
        if (from > 0)
            head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + QByteArray::number(from) + "-"
                + QByteArray::number(file.size() - 1) + "/" + QByteArray::number(file.size()) + "\r\n";
        else
            head = "HTTP/1.1 200 OK\r\n";
        head += "Content-Type: application/octet-stream\r\nContent-Length: " + QByteArray::number(file.size() - from)
            + "\r\nConnection: close\r\n\r\n";
        socket->write(head);
        qint64 to = file.size();
        if (m_cuts.contains(request.path))
            to = std::max(from, m_cuts.take(request.path));
        socket->write(file.mid(from, to - from));
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QMap<QString, QByteArray> m_files;
    QMap<QString, qint64> m_cuts;
    QSet<QString> m_stalls;
    QMap<QTcpSocket *, QByteArray> m_pending;
    QList<Request> m_requests;
};

} // namespace ffint8::testing
